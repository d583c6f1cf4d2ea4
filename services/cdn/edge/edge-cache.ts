/**
 * The edge's cache logic: a fresh entry is a HIT; a miss or a stale entry goes to the origin once
 * per key however many requests wait (coalescing), revalidating with the stored ETag; when the
 * origin fails, a stale entry within its stale-if-error window answers instead (STALE). Purges
 * remove entries and in-flight fetches, and a fetch that started before a purge stores nothing.
 */
import { type PolicyDefaults, storagePolicy } from '../cache/cache-control.ts';
import {
  type CachedObject,
  cachedObject,
  isFresh,
  refreshed,
  usableOnError,
} from '../cache/entry.ts';
import type { ByteLru } from '../cache/lru.ts';
import { OriginError, type OriginResult } from '../origin/origin.ts';
import { SingleFlight } from '../origin/single-flight.ts';

export type CacheState = 'HIT' | 'MISS' | 'STALE';

export type Lookup =
  | { readonly kind: 'object'; readonly object: CachedObject; readonly state: CacheState }
  | { readonly kind: 'missing' }
  | { readonly kind: 'private' };

type Fetched =
  | { readonly kind: 'missing' | 'private' }
  | { readonly kind: 'object'; readonly object: CachedObject; readonly fromOrigin: boolean };

export interface EdgeCacheOptions {
  readonly lru: ByteLru<CachedObject>;
  readonly fetch: (key: string, etag?: string) => Promise<OriginResult>;
  readonly defaults: PolicyDefaults;
  readonly now?: () => number;
  /** Called with the time one origin fetch took and how it ended. */
  readonly onOrigin?: (seconds: number, outcome: string) => void;
}

export class EdgeCache {
  readonly #o: EdgeCacheOptions;
  readonly #now: () => number;
  readonly #flights = new SingleFlight<Fetched>();
  #generation = 0;

  constructor(options: EdgeCacheOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** A fresh cached copy, synchronously (the hit path needs no promise), marked recently used. */
  fresh(key: string): CachedObject | undefined {
    const cached = this.#o.lru.get(key);
    return cached !== undefined && isFresh(cached, this.#now()) ? cached : undefined;
  }

  async lookup(key: string): Promise<Lookup> {
    const cached = this.#o.lru.get(key);
    if (cached !== undefined && isFresh(cached, this.#now()))
      return { kind: 'object', object: cached, state: 'HIT' };
    let fetched: Fetched;
    try {
      fetched = await this.#flights.run(key, () => this.#fetch(key, cached));
    } catch (error) {
      const stale = this.#o.lru.peek(key);
      if (error instanceof OriginError && stale !== undefined && usableOnError(stale, this.#now()))
        return { kind: 'object', object: stale, state: 'STALE' };
      throw error;
    }
    if (fetched.kind !== 'object') return fetched;
    return { kind: 'object', object: fetched.object, state: fetched.fromOrigin ? 'MISS' : 'HIT' };
  }

  /** Removes the keys and every key under the prefixes; returns how many entries went. */
  purge(keys: readonly string[], prefixes: readonly string[]): number {
    this.#generation += 1;
    const hit = (k: string) => keys.includes(k) || prefixes.some((p) => k.startsWith(p));
    this.#flights.forget(hit);
    let removed = 0;
    for (const key of keys) if (this.#o.lru.delete(key)) removed += 1;
    for (const prefix of prefixes) removed += this.#o.lru.deletePrefix(prefix);
    return removed;
  }

  async #fetch(key: string, cached: CachedObject | undefined): Promise<Fetched> {
    const generation = this.#generation;
    const started = performance.now();
    let result: OriginResult;
    try {
      result = await this.#o.fetch(key, cached?.etag || undefined);
    } catch (error) {
      const failure = error instanceof OriginError ? error.failure : 'error';
      this.#o.onOrigin?.((performance.now() - started) / 1000, failure);
      throw error;
    }
    this.#o.onOrigin?.((performance.now() - started) / 1000, result.kind);
    const current = generation === this.#generation;
    const now = this.#now();
    if (result.kind === 'missing') {
      if (current) this.#o.lru.delete(key);
      return { kind: 'missing' };
    }
    if (result.kind === 'not-modified') {
      if (cached === undefined) throw new OriginError('unavailable', '304 without a cached copy');
      const object = refreshed(cached, now);
      if (current) this.#o.lru.set(key, object);
      return { kind: 'object', object, fromOrigin: false };
    }
    const origin = result.object;
    const policy = storagePolicy(origin.cacheControl, this.#o.defaults);
    if (policy.kind === 'private') {
      this.#o.lru.delete(key);
      return { kind: 'private' };
    }
    const stored = policy.kind === 'store';
    const object = cachedObject({
      key,
      body: origin.body,
      contentType: origin.contentType,
      etag: origin.etag,
      lastModified: origin.lastModified,
      storedAt: now,
      ttlSeconds: stored ? policy.ttlSeconds : 0,
      staleIfErrorSeconds: stored ? policy.staleIfErrorSeconds : 0,
      immutable: stored && policy.immutable,
    });
    if (current && stored && object.ttlSeconds > 0) this.#o.lru.set(key, object);
    else this.#o.lru.delete(key);
    return { kind: 'object', object, fromOrigin: true };
  }
}
