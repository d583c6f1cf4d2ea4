/** A media row as the API shows it: URLs of the original and of every thumbnail size, and state. */
import type { Row } from '../../shared/db/target.ts';
import { thumbnailKey } from '../../shared/storage/keys.ts';
import { parseSizes, type ThumbnailStatus } from '../../shared/thumbnails/job.ts';

export interface MediaRow extends Row {
  id: number;
  user_id: number;
  object_key: string;
  thumbnail_key: string;
  thumbnail_sizes: string;
  content_type: string;
  bytes: number;
  width: number;
  height: number;
  sha256: string;
  thumbnail_status: ThumbnailStatus;
  thumbnail_error: string | null;
  created_at: Date;
}

export const mediaSchema = {
  type: 'object',
  required: ['id', 'url', 'thumbnailUrl', 'thumbnails', 'thumbnail'],
  properties: {
    id: { type: 'integer' },
    url: { type: 'string' },
    thumbnailUrl: { type: 'string' },
    /** Size in pixels → URL; filled once `thumbnail` is `ready`. */
    thumbnails: { type: 'object', additionalProperties: { type: 'string' } },
    thumbnail: { type: 'string', enum: ['pending', 'ready', 'failed'] },
    thumbnailError: { type: 'string' },
    contentType: { type: 'string' },
    bytes: { type: 'integer' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    sha256: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

/** Where a stored object is served: the app's own `/files/<key>`, or the CDN's (CDN=on). */
export type FileUrl = (key: string) => string;

export interface Media {
  readonly id: number;
  readonly thumbnail: ThumbnailStatus;
  readonly [field: string]: unknown;
}

export function toMedia(r: MediaRow, fileUrl: FileUrl): Media {
  const sizes = parseSizes(r.thumbnail_sizes) ?? [];
  return {
    id: r.id,
    url: fileUrl(r.object_key),
    thumbnailUrl: fileUrl(r.thumbnail_key),
    thumbnails: Object.fromEntries(
      sizes.map((size) => [String(size), fileUrl(thumbnailKey(r.object_key, size))]),
    ),
    thumbnail: r.thumbnail_status,
    ...(r.thumbnail_error === null ? {} : { thumbnailError: r.thumbnail_error }),
    contentType: r.content_type,
    bytes: r.bytes,
    width: r.width,
    height: r.height,
    sha256: r.sha256,
    createdAt: r.created_at.toISOString(),
  };
}
