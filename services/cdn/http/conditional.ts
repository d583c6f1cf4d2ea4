/**
 * Conditional requests (RFC 9110 §13): If-None-Match (weak comparison, `*`, lists) and, only when
 * If-None-Match is absent, If-Modified-Since at one-second resolution. If-Range decides whether a
 * Range applies. Pure.
 */
export interface Validators {
  readonly etag: string;
  readonly lastModified: Date | undefined;
}

const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

function matchesAny(header: string, etag: string): boolean {
  if (header.trim() === '*') return etag !== '';
  if (etag === '') return false;
  const mine = opaque(etag);
  return header.split(',').some((tag) => opaque(tag) === mine);
}

/** True when the client's copy is current and the answer is 304. */
export function notModified(
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
  v: Validators,
): boolean {
  if (ifNoneMatch !== undefined) return matchesAny(ifNoneMatch, v.etag);
  if (ifModifiedSince === undefined || v.lastModified === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since)) return false;
  return Math.floor(v.lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}

/** Whether a Range header applies under `If-Range` (strong ETag match or the exact date). */
export function rangeApplies(ifRange: string | undefined, v: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) {
    return !value.startsWith('W/') && v.etag !== '' && !v.etag.startsWith('W/') && value === v.etag;
  }
  const date = Date.parse(value);
  if (Number.isNaN(date) || v.lastModified === undefined) return false;
  return Math.floor(v.lastModified.getTime() / 1000) === Math.floor(date / 1000);
}
