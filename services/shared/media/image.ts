/**
 * Image checks and thumbnails with sharp. The header is read first (no pixels decoded) to refuse
 * image bombs by pixel count and frame count; decoding then runs with the same pixel limit, and a
 * truncated or corrupt file fails instead of producing a partial thumbnail.
 */
import sharp, { type Metadata } from 'sharp';

export interface ImageLimits {
  readonly maxPixels: number;
  readonly maxFrames: number;
}

export interface ImageInfo {
  readonly width: number;
  readonly height: number;
  readonly frames: number;
}

export class ImageRejectedError extends Error {
  readonly reason: 'too-many-pixels' | 'too-many-frames' | 'unreadable';
  constructor(reason: ImageRejectedError['reason'], message: string) {
    super(message);
    this.name = 'ImageRejectedError';
    this.reason = reason;
  }
}

/** Pure limit check on header facts. */
export function checkLimits(info: ImageInfo, limits: ImageLimits): void {
  if (info.width * info.height > limits.maxPixels) {
    throw new ImageRejectedError(
      'too-many-pixels',
      `image is ${info.width}×${info.height}: more than ${limits.maxPixels} pixels`,
    );
  }
  if (info.frames > limits.maxFrames) {
    throw new ImageRejectedError(
      'too-many-frames',
      `image has ${info.frames} frames: more than ${limits.maxFrames}`,
    );
  }
}

export async function inspectImage(bytes: Buffer, limits: ImageLimits): Promise<ImageInfo> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch {
    throw new ImageRejectedError('unreadable', 'the file is not a readable image');
  }
  if (!meta.width || !meta.height)
    throw new ImageRejectedError('unreadable', 'the image has no dimensions');
  const info = {
    width: meta.width,
    height: meta.pageHeight ?? meta.height,
    frames: meta.pages ?? 1,
  };
  checkLimits(info, limits);
  return info;
}

/**
 * WebP thumbnails that fit in size×size, one per size, from the first frame, oriented by EXIF.
 * Decoding runs under the pixel limit; a truncated or corrupt image is ImageRejectedError.
 */
export async function makeThumbnails(
  bytes: Buffer,
  sizes: readonly number[],
  limits: ImageLimits,
): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  try {
    const source = sharp(bytes, {
      limitInputPixels: limits.maxPixels,
      failOn: 'truncated',
      pages: 1,
    }).rotate();
    for (const size of sizes) {
      const thumbnail = await source
        .clone()
        .resize(size, size, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
      out.set(size, thumbnail);
    }
  } catch {
    throw new ImageRejectedError(
      'unreadable',
      'the image could not be decoded (truncated or corrupt)',
    );
  }
  return out;
}
