/**
 * Unique small PNGs for the load's uploads: random pixels, so every upload has its own SHA-256 and
 * the ledger can find it in the primary by content. sharp is the product's own image library.
 */
import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';

export interface Image {
  readonly bytes: Buffer;
  readonly sha256: string;
}

export async function uniquePng(width = 48, height = 32): Promise<Image> {
  const pixels = randomBytes(width * height * 3);
  const bytes = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
