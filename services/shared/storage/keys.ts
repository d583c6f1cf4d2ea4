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

const MEDIA_KEY =
  /^media\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/(original\.(jpg|png|gif|webp)|thumbnail\.webp)$/;
const STATIC_KEY = /^static\/[0-9a-f]{16}\/[a-z0-9][a-z0-9_-]{0,63}\.(css|js|html|svg|ico|png)$/;

export function mediaKeys(type: ImageType): { original: string; thumbnail: string } {
  const id = randomUUID();
  return {
    original: `media/${id}/original.${IMAGE_TYPES[type]}`,
    thumbnail: `media/${id}/thumbnail.webp`,
  };
}

export const staticKey = (version: string, file: string): string => `static/${version}/${file}`;

/** True only for keys this server could have made. */
export const isObjectKey = (key: string): boolean => MEDIA_KEY.test(key) || STATIC_KEY.test(key);

export function contentTypeOf(key: string): string {
  const ext = key.slice(key.lastIndexOf('.') + 1);
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
