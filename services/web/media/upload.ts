/**
 * Turns an uploaded file into what is stored. The checks run in order of cost: size (while
 * receiving), type by magic bytes, header limits (pixels, frames), then decoding. With
 * THUMBNAILS=inline the thumbnails are made here, inside the request; with THUMBNAILS=queue only
 * the cheap checks run here and decoding is the worker's job.
 */
import { createHash } from 'node:crypto';
import { HttpError } from '../../shared/http-error.ts';
import {
  type ImageInfo,
  type ImageLimits,
  inspectImage,
  makeThumbnails,
} from '../../shared/media/image.ts';
import type { ImageType } from '../../shared/storage/keys.ts';
import { sniffImageType } from './sniff.ts';

export interface CheckedImage extends ImageInfo {
  readonly type: ImageType;
  readonly bytes: Buffer;
  readonly sha256: string;
}

export interface PreparedImage extends CheckedImage {
  /** Size → WebP thumbnail. */
  readonly thumbnails: ReadonlyMap<number, Buffer>;
}

/** Type by magic bytes and the header's pixel and frame counts; nothing is decoded. */
export async function checkImage(bytes: Buffer, limits: ImageLimits): Promise<CheckedImage> {
  const type = sniffImageType(bytes);
  if (type === undefined) {
    throw new HttpError(
      415,
      'WEB_ERR_UNSUPPORTED_MEDIA_TYPE',
      'the file is not a JPEG, PNG, GIF or WebP image',
    );
  }
  const info = await inspectImage(bytes, limits);
  return { ...info, type, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The checks, then every thumbnail size (decoding the image). */
export async function prepareImage(
  bytes: Buffer,
  limits: ImageLimits,
  sizes: readonly number[],
): Promise<PreparedImage> {
  const checked = await checkImage(bytes, limits);
  return { ...checked, thumbnails: await makeThumbnails(bytes, sizes, limits) };
}
