/**
 * HAProxy's `cookie … insert nocache`: a response that carries the LB's sticky cookie must not be
 * stored by a shared cache, which would hand the cookie (and so one backend) to everyone. When
 * the response is storable by a shared cache — explicitly (public, s-maxage, max-age, Expires) or
 * heuristically (Last-Modified on a status cacheable by default) — its Cache-Control becomes
 * `private`: browsers may still cache it, a CDN may not. Pure; works on the flat name/value list
 * sent to the client.
 */

/** Statuses a cache may store without explicit freshness (RFC 9110 §15.1). */
const HEURISTIC = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);
const SHARED_ONLY = /^(public|s-maxage(=.*)?|proxy-revalidate)$/;

function directivesOf(out: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < out.length; i += 2) {
    if ((out[i] as string).toLowerCase() !== 'cache-control') continue;
    for (const d of (out[i + 1] as string).split(',')) {
      const t = d.trim();
      if (t !== '') found.push(t);
    }
  }
  return found;
}

function has(out: readonly string[], name: string): boolean {
  for (let i = 0; i < out.length; i += 2)
    if ((out[i] as string).toLowerCase() === name) return true;
  return false;
}

export function sharedCacheMayStore(out: readonly string[], status: number): boolean {
  const directives = directivesOf(out).map((d) => d.toLowerCase());
  if (directives.some((d) => /^(private|no-store|no-cache)(=|$)/.test(d))) return false;
  if (directives.some((d) => /^(public|s-maxage=|max-age=)/.test(d))) return true;
  if (has(out, 'expires')) return true;
  return HEURISTIC.has(status) && has(out, 'last-modified');
}

/** Makes the response private if a shared cache could store it (see above). */
export function keepFromSharedCaches(out: string[], status: number): void {
  if (!sharedCacheMayStore(out, status)) return;
  const kept = directivesOf(out).filter((d) => !SHARED_ONLY.test(d.toLowerCase()));
  let w = 0;
  for (let r = 0; r < out.length; r += 2) {
    if ((out[r] as string).toLowerCase() === 'cache-control') continue;
    out[w++] = out[r] as string;
    out[w++] = out[r + 1] as string;
  }
  out.length = w;
  out.push('cache-control', ['private', ...kept].join(', '));
}
