/**
 * Cache-Control as the edge reads it (RFC 9111 for a shared cache, plus RFC 5861's
 * stale-if-error) and the storage policy derived from the origin's header. Pure.
 */
export interface Directives {
  readonly maxAge?: number;
  readonly sMaxAge?: number;
  readonly staleIfError?: number;
  readonly noStore: boolean;
  readonly noCache: boolean;
  readonly private: boolean;
  readonly public: boolean;
  readonly immutable: boolean;
  readonly mustRevalidate: boolean;
}

const seconds = (raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const text = raw.replace(/^"(.*)"$/, '$1');
  if (!/^\d{1,10}$/.test(text)) return undefined;
  return Number(text);
};

/** Parses a Cache-Control value; unknown directives are ignored, bad numbers are dropped. */
export function parseCacheControl(header: string | undefined): Directives {
  const seen = new Map<string, string | undefined>();
  for (const part of (header ?? '').split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const name = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? undefined : item.slice(eq + 1).trim();
    // The first occurrence wins, as RFC 9111 suggests for a duplicated directive.
    if (!seen.has(name)) seen.set(name, value);
  }
  const maxAge = seconds(seen.get('max-age'));
  const sMaxAge = seconds(seen.get('s-maxage'));
  const staleIfError = seconds(seen.get('stale-if-error'));
  return {
    ...(maxAge === undefined ? {} : { maxAge }),
    ...(sMaxAge === undefined ? {} : { sMaxAge }),
    ...(staleIfError === undefined ? {} : { staleIfError }),
    noStore: seen.has('no-store'),
    noCache: seen.has('no-cache'),
    private: seen.has('private'),
    public: seen.has('public'),
    immutable: seen.has('immutable'),
    mustRevalidate: seen.has('must-revalidate') || seen.has('proxy-revalidate'),
  };
}

export interface PolicyDefaults {
  /** Freshness of an object whose origin sent no lifetime. */
  readonly ttlSeconds: number;
  /** How long past freshness a stale copy may answer while the origin fails. */
  readonly staleIfErrorSeconds: number;
}

export type StoragePolicy =
  | { readonly kind: 'private' }
  | { readonly kind: 'pass'; readonly cacheControl: string }
  | {
      readonly kind: 'store';
      readonly ttlSeconds: number;
      readonly staleIfErrorSeconds: number;
      readonly immutable: boolean;
    };

/**
 * What the edge does with an origin response: `private` objects are never served by the edge,
 * `no-store`/`no-cache` ones pass through uncached, anything else is stored for s-maxage, else
 * max-age, else the default lifetime.
 */
export function storagePolicy(header: string | undefined, defaults: PolicyDefaults): StoragePolicy {
  const d = parseCacheControl(header);
  if (d.private) return { kind: 'private' };
  if (d.noStore || d.noCache) return { kind: 'pass', cacheControl: header ?? 'no-store' };
  const ttlSeconds = d.sMaxAge ?? d.maxAge ?? defaults.ttlSeconds;
  const staleIfErrorSeconds = d.mustRevalidate
    ? 0
    : (d.staleIfError ?? defaults.staleIfErrorSeconds);
  return { kind: 'store', ttlSeconds, staleIfErrorSeconds, immutable: d.immutable };
}

/** The Cache-Control the edge sends for a stored object with `remaining` seconds of freshness. */
export function outgoingCacheControl(remaining: number, immutable: boolean): string {
  const maxAge = Math.max(0, Math.floor(remaining));
  return immutable ? `public, max-age=${maxAge}, immutable` : `public, max-age=${maxAge}`;
}
