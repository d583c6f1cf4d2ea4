/**
 * Cache-aside over memcached (CACHE=memcached). A read looks in the cache, and on a miss loads
 * from the database and stores the result. The cache is an optimisation only: any cache failure
 * (down, slow, garbage) is a miss, never an error; a circuit breaker stops asking a dead server
 * for a second at a time; concurrent misses of one key in this process share one database load.
 *
 * Every operation has its own deadline: memjs leaves a request pending forever when the server
 * closes the connection cleanly (memcached killed mid-request), so on a deadline the client's
 * connection state is reset, which fails its pending requests instead of leaking them.
 */
import type { Client } from 'memjs';
import { Breaker } from '../../shared/breaker.ts';

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

export interface CacheEntry<T> {
  readonly key: string;
  readonly ttlSeconds: number;
  /** Whether a loaded value may be stored (a state about to change is not). Default: always. */
  readonly keep?: (value: T) => boolean;
}

export interface Cache {
  readonly enabled: boolean;
  aside<T>(
    entry: CacheEntry<T>,
    load: () => Promise<Loaded<T>>,
    bypass?: boolean,
  ): Promise<Aside<T>>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** CACHE=off: every read goes to the database; no X-Cache header is owed. */
export const noCache: Cache = {
  enabled: false,
  aside: async (_entry, load) => ({ ...(await load()), cache: 'BYPASS' }),
  delete: async () => undefined,
  close: async () => undefined,
};

export class MemcachedCache implements Cache {
  readonly enabled = true;
  readonly #client: Client;
  readonly #observer: CacheObserver;
  readonly #breaker = new Breaker({ threshold: 3, openMs: 1000 });
  readonly #inflight = new Map<string, Promise<Loaded<unknown>>>();

  readonly #deadlineMs: number;

  constructor(client: Client, observer: CacheObserver, deadlineMs: number) {
    this.#client = client;
    this.#observer = observer;
    this.#deadlineMs = deadlineMs;
  }

  async aside<T>(
    entry: CacheEntry<T>,
    load: () => Promise<Loaded<T>>,
    bypass = false,
  ): Promise<Aside<T>> {
    if (bypass) {
      this.#observer.request('bypass');
      return { ...(await load()), cache: 'BYPASS' };
    }
    const hit = await this.#get<T>(entry.key);
    if (hit !== undefined) {
      this.#observer.request('hit');
      return { value: hit, cache: 'HIT' };
    }
    this.#observer.request('miss');
    const pending = this.#inflight.get(entry.key) as Promise<Loaded<T>> | undefined;
    if (pending) return { ...(await pending), cache: 'MISS' };
    const loading = load().then(async (loaded) => {
      if (entry.keep?.(loaded.value) ?? true)
        await this.#set(entry.key, loaded.value, entry.ttlSeconds);
      return loaded;
    });
    this.#inflight.set(entry.key, loading);
    try {
      return { ...(await loading), cache: 'MISS' };
    } finally {
      this.#inflight.delete(entry.key);
    }
  }

  async delete(key: string): Promise<void> {
    await this.#guard(() => this.#client.delete(key));
  }

  async close(): Promise<void> {
    this.#client.close();
  }

  async #get<T>(key: string): Promise<T | undefined> {
    const found = await this.#guard(() => this.#client.get(key));
    if (found?.value == null) return undefined;
    try {
      return JSON.parse(found.value.toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }

  async #set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.#guard(() => this.#client.set(key, JSON.stringify(value), { expires: ttlSeconds }));
  }

  async #guard<R>(operation: () => Promise<R>): Promise<R | undefined> {
    if (!this.#breaker.allow()) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`memcached did not answer within ${this.#deadlineMs} ms`);
        for (const server of this.#client.servers) server.error(error);
        reject(error);
      }, this.#deadlineMs);
    });
    try {
      const result = await Promise.race([operation(), deadline]);
      this.#breaker.succeeded();
      return result;
    } catch {
      this.#breaker.failed();
      this.#observer.request('error');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
