/**
 * Cache-aside over memcached (CACHE=memcached). The cache is an optimisation only: any cache failure
 * (down, paused, garbage) means the read goes to the database and says BYPASS, never an error;
 * concurrent misses of one key in this process share one database load.
 *
 * Two kinds of entries:
 * - `aside`: values that never go stale (a post by id) or may be a few seconds old (media status).
 * - `view`: pages that writes change (the feed, a user's posts). Each view has a version key; a
 *   write sets it to a new random token after its commit (`bump`), so every page cached under the
 *   old token is unreachable at once. A page is filled from a server that has executed the
 *   primary's GTID position read after the version (a causal read), so it holds every write whose
 *   bump came before it; it is stored with that position, and a reader that carries a later write
 *   of its own (read-your-writes) does not take a page older than that write.
 * A bump that fails (memcached down or paused) is retried until it lands; until then this server
 * bypasses the views it changed.
 */
import type { GtidPosition } from '../consistency/gtid.ts';
import type { CacheEntry, ViewEntry } from './keys.ts';

export type CacheResult = 'HIT' | 'MISS' | 'BYPASS';

export interface Loaded<T> {
  readonly value: T;
  /** Which database server answered (the X-DB header); undefined for a cache hit. */
  readonly servedBy?: string;
}

export interface Aside<T> extends Loaded<T> {
  readonly cache: CacheResult;
}

export interface CacheObserver {
  request(result: 'hit' | 'miss' | 'error' | 'bypass'): void;
}

/** Loads a view's page; `after` is the GTID position the answer must include. */
export type ViewLoader<T> = (after: GtidPosition | undefined) => Promise<Loaded<T>>;

export interface Cache {
  readonly enabled: boolean;
  /** `reader`: the GTID position of the reader's own writes, which `load` must include. */
  aside<T>(
    entry: CacheEntry<T>,
    load: () => Promise<Loaded<T>>,
    reader?: GtidPosition,
  ): Promise<Aside<T>>;
  view<T>(entry: ViewEntry, load: ViewLoader<T>, reader?: GtidPosition): Promise<Aside<T>>;
  /** After a committed write: stores a value that readers would otherwise load. */
  put<T>(entry: CacheEntry<T>, value: T): Promise<void>;
  /** After a committed write: makes every cached page of these views unreachable. */
  bump(versionKeys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** CACHE=off: every read goes to the database; no X-Cache header is owed. */
export const noCache: Cache = {
  enabled: false,
  aside: async (_entry, load) => ({ ...(await load()), cache: 'BYPASS' }),
  view: async (_entry, load, reader) => ({ ...(await load(reader)), cache: 'BYPASS' }),
  put: async () => undefined,
  bump: async () => undefined,
  close: async () => undefined,
};
