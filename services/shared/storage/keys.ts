/**
 * Object keys. The server makes every key from a random id and a fixed suffix, and the file route
 * accepts only keys of exactly these shapes, so no client text ever becomes part of a path.
 */
import { randomUUID } from 'node:crypto';

export const IMAGE_TYPES = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
} as const;
export type ImageType = keyof typeof IMAGE_TYPES;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
};

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MEDIA_FOLDER = new RegExp(`^media/${UUID}/`);
/** `thumbnail.webp` is the one size made before several sizes existed; old rows still name it. */
const MEDIA_KEY = new RegExp(
  `^media/${UUID}/(original\\.(jpg|png|gif|webp)|thumbnail(-[1-9][0-9]{1,3})?\\.webp)$`,
);
const STATIC_KEY = /^static\/[0-9a-f]{16}\/[a-z0-9][a-z0-9_-]{0,63}\.(css|js|html|svg|ico|png)$/;

/** The key of a new upload's original: a fresh folder per upload. */
export const originalKey = (type: ImageType): string =>
  `media/${randomUUID()}/original.${IMAGE_TYPES[type]}`;

/**
 * The key of one thumbnail size, derived from the original's key alone: making the thumbnails of
 * one upload again (a retried or repeated job) writes the same keys, never a second set.
 */
export function thumbnailKey(original: string, size: number): string {
  const folder = MEDIA_FOLDER.exec(original)?.[0];
  if (folder === undefined || !isObjectKey(original))
    throw new Error(`not an upload's key: ${JSON.stringify(original)}`);
  return `${folder}thumbnail-${size}.webp`;
}

/** The folder holding an upload's original and thumbnails (`media/<uuid>/`). */
export const mediaFolderOf = (key: string): string | undefined => MEDIA_FOLDER.exec(key)?.[0];

export const staticKey = (version: string, file: string): string => `static/${version}/${file}`;

/** True only for keys this server could have made. */
export const isObjectKey = (key: string): boolean => MEDIA_KEY.test(key) || STATIC_KEY.test(key);

export function contentTypeOf(key: string): string {
  const ext = key.slice(key.lastIndexOf('.') + 1);
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
