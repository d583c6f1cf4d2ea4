/**
 * Turns an uploaded file into a stored original plus thumbnail. The checks run in order of cost:
 * size (while receiving), type by magic bytes, header limits (pixels, frames), then decoding.
 */
import { createHash } from 'node:crypto';
import { HttpError } from '../../shared/http-error.ts';
import {
  type ImageInfo,
  type ImageLimits,
  inspectImage,
  makeThumbnail,
} from '../../shared/media/image.ts';
import type { ImageType } from '../../shared/storage/keys.ts';
import { sniffImageType } from './sniff.ts';

export interface PreparedImage extends ImageInfo {
  readonly type: ImageType;
  readonly bytes: Buffer;
  readonly sha256: string;
  readonly thumbnail: Buffer;
}

export async function prepareImage(
  bytes: Buffer,
  limits: ImageLimits,
  thumbnailSize: number,
): Promise<PreparedImage> {
  const type = sniffImageType(bytes);
  if (type === undefined) {
    throw new HttpError(
      415,
      'WEB_ERR_UNSUPPORTED_MEDIA_TYPE',
      'the file is not a JPEG, PNG, GIF or WebP image',
    );
  }
  const info = await inspectImage(bytes, limits);
  const thumbnail = await makeThumbnail(bytes, thumbnailSize, limits);
  return {
    ...info,
    type,
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    thumbnail,
  };
}
