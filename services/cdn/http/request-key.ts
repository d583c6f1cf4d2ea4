/**
 * From a request target to an object key, before any I/O. The edge serves `/files/<key>` (the same
 * path the web app serves, so a CDN URL differs only in its origin) and only keys of the exact
 * shapes the web app makes (services/shared/storage/keys.ts): uploads, their thumbnails and the
 * versioned static assets. Encoded bytes, dot segments, backslashes and empty segments are a bad
 * path (400); any other key is not public (404), whatever the store holds. Pure.
 */
import { isObjectKey } from '../../shared/storage/keys.ts';

export const FILES_PREFIX = '/files/';
const MAX_TARGET = 1024;

export type KeyResult =
  | { readonly ok: true; readonly key: string }
  | {
      readonly ok: false;
      readonly status: 400 | 404;
      readonly code: string;
      readonly message: string;
    };

const bad = (message: string): KeyResult => ({
  ok: false,
  status: 400,
  code: 'CDN_ERR_BAD_PATH',
  message,
});

const notPublic: KeyResult = {
  ok: false,
  status: 404,
  code: 'CDN_ERR_NOT_FOUND',
  message: 'no such public object',
};

export function keyOfTarget(target: string): KeyResult {
  if (target.length > MAX_TARGET) return bad('the path is too long');
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (!path.startsWith(FILES_PREFIX)) return notPublic;
  const key = path.slice(FILES_PREFIX.length);
  if (/[%\\\0]/.test(key)) return bad('encoded or escaped characters are not accepted in keys');
  const segments = key.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    return bad('empty or dot segments are not accepted in keys');
  return isObjectKey(key) ? { ok: true, key } : notPublic;
}

/** Purge input: a key, or a prefix inside the public key space (`media/<uuid>/`, `static/`). */
export function isPurgePrefix(prefix: string): boolean {
  return /^(media|static)\/([0-9a-f-]{1,64}\/?)?$/.test(prefix);
}
