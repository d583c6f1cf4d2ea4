/**
 * The LB-inserted sticky cookie. Its value is an opaque backend id: the first 16 bytes of
 * HMAC-SHA256(secret, pool|host:port), base64url. It reveals no address or port, cannot be forged
 * without the secret, and is the same in every worker and across restarts (no shared table needed).
 * A value that names no current backend (forged, stale, other secret) is simply not found.
 */
import { createHmac } from 'node:crypto';

export const TOKEN_LENGTH = 22;
const TOKEN = new RegExp(`^[A-Za-z0-9_-]{${TOKEN_LENGTH}}$`);

export function backendToken(secret: string, pool: string, address: string): string {
  return createHmac('sha256', secret)
    .update(`v1|${pool}|${address}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

export const isWellFormedToken = (value: string): boolean => TOKEN.test(value);

/** The cookie name used for one pool: the base name for the default pool, suffixed otherwise. */
export function cookieNameFor(base: string, pool: string, defaultPool: string): string {
  return pool === defaultPool ? base : `${base}_${pool.replaceAll('-', '_')}`;
}

export interface SplitCookie {
  /** The first value of our cookie, or undefined. */
  readonly value: string | undefined;
  /** The Cookie header without our cookie; '' when nothing else remains. */
  readonly rest: string;
}

const NONE: SplitCookie = Object.freeze({ value: undefined, rest: '' });

/**
 * Finds our cookie in a Cookie header and returns the header without it. `needle` is `name=`.
 * Allocates only when the header actually contains our cookie name.
 */
export function splitCookie(header: string, needle: string): SplitCookie {
  if (header.indexOf(needle) === -1)
    return header === '' ? NONE : { value: undefined, rest: header };
  let value: string | undefined;
  const kept: string[] = [];
  for (const part of header.split(';')) {
    const pair = part.trim();
    if (pair === '') continue;
    if (pair.startsWith(needle)) {
      value ??= pair.slice(needle.length);
      continue;
    }
    kept.push(pair);
  }
  return { value, rest: kept.join('; ') };
}

export interface CookieAttributes {
  readonly secure: boolean;
  /** Seconds; 0 = session cookie. */
  readonly maxAge: number;
}

/** The attributes after `name=value` (computed once per pool). */
export function cookieSuffix(attrs: CookieAttributes): string {
  const maxAge = attrs.maxAge > 0 ? `; Max-Age=${attrs.maxAge}` : '';
  return `; Path=/; HttpOnly; SameSite=Lax${attrs.secure ? '; Secure' : ''}${maxAge}`;
}
