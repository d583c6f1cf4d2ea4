/**
 * The memcached implementation of the read cache (see cache.ts for what it promises).
 */
import { randomBytes } from 'node:crypto';
import { type GtidPosition, gtidCovers, mergeGtid, parseGtid } from '../consistency/gtid.ts';
import type { Aside, Cache, CacheObserver, Loaded, ViewLoader } from './cache.ts';
import type { GuardedMemcached } from './guarded-client.ts';
import type { CacheEntry, ViewEntry } from './keys.ts';
import { PendingBumps } from './pending-bumps.ts';

const newVersion = (): string => randomBytes(8).toString('base64url');

export class MemcachedCache implements Cache {
  readonly enabled = true;
  readonly #mc: GuardedMemcached;
  readonly #observer: CacheObserver;
  /** The primary's GTID position now, undefined when it cannot say quickly. */
  readonly #position: () => Promise<string | undefined>;
  readonly #inflight = new Map<string, Promise<Loaded<unknown>>>();
  readonly #pending: PendingBumps;

  constructor(
    mc: GuardedMemcached,
    observer: CacheObserver,
    position: () => Promise<string | undefined>,
  ) {
    this.#mc = mc;
    this.#observer = observer;
    this.#position = position;
    this.#pending = new PendingBumps((key) => this.#mc.set(key, newVersion(), 0));
  }

  async aside<T>(
    entry: CacheEntry<T>,
    load: () => Promise<Loaded<T>>,
    reader?: GtidPosition,
  ): Promise<Aside<T>> {
    const got = await this.#mc.get(entry.key);
    if (got.kind === 'error') return this.#bypass(load);
    if (got.kind === 'hit') {
      const value = parse<T>(got.text);
      if (value !== undefined) return this.#hit(value);
    }
    this.#observer.request('miss');
    const fill = async () => {
      const fresh = await load();
      await this.put(entry, fresh.value);
      return fresh;
    };
    // A reader with its own writes loads for itself: a shared load may come from a lagging replica.
    const loaded = reader ? await fill() : await this.#once(entry.key, fill);
    return { ...loaded, cache: 'MISS' };
  }

  async view<T>(entry: ViewEntry, load: ViewLoader<T>, reader?: GtidPosition): Promise<Aside<T>> {
    if (this.#pending.has(entry.versionKey)) return this.#bypass(() => load(reader));
    const version = await this.#version(entry.versionKey);
    if (version === undefined) return this.#bypass(() => load(reader));
    const key = `${entry.key}@${version}`;
    const got = await this.#mc.get(key);
    if (got.kind === 'error') return this.#bypass(() => load(reader));
    if (got.kind === 'hit') {
      const page = parse<{ at: string; value: T }>(got.text);
      const at = page === undefined ? undefined : parseGtid(page.at);
      if (page !== undefined && at !== undefined && (!reader || gtidCovers(at, reader)))
        return this.#hit(page.value);
    }
    this.#observer.request('miss');
    const fill = async () => {
      const text = await this.#position();
      const at = text === undefined ? undefined : parseGtid(text);
      const after = at === undefined ? reader : reader ? mergeGtid(at, reader) : at;
      const loaded = await load(after);
      // A page filled without knowing the primary's position may predate a write: not stored.
      // So is a page its entry will not keep (a feed page missing a shard).
      if (text !== undefined && at !== undefined && (entry.keep?.(loaded.value) ?? true))
        await this.#mc.set(
          key,
          JSON.stringify({ at: text, value: loaded.value }),
          entry.ttlSeconds,
        );
      return loaded;
    };
    // A reader with its own writes fills for itself: a shared fill may predate its write.
    const loaded = reader ? await fill() : await this.#once(key, fill);
    return { ...loaded, cache: 'MISS' };
  }

  async put<T>(entry: CacheEntry<T>, value: T): Promise<void> {
    if (entry.keep?.(value) ?? true)
      await this.#mc.set(entry.key, JSON.stringify(value), entry.ttlSeconds);
  }

  async bump(versionKeys: readonly string[]): Promise<void> {
    await Promise.all(
      versionKeys.map(async (key) => {
        if (!(await this.#mc.set(key, newVersion(), 0))) this.#pending.add(key);
      }),
    );
  }

  async close(): Promise<void> {
    this.#pending.close();
    this.#mc.close();
  }

  /** The view's current version token, made when absent; undefined when memcached fails. */
  async #version(versionKey: string): Promise<string | undefined> {
    const got = await this.#mc.get(versionKey);
    if (got.kind === 'hit') return got.text;
    if (got.kind === 'error') return undefined;
    const made = newVersion();
    const added = await this.#mc.add(versionKey, made, 0);
    if (added === 'stored') return made;
    if (added === 'error') return undefined;
    const again = await this.#mc.get(versionKey);
    return again.kind === 'hit' ? again.text : undefined;
  }

  #hit<T>(value: T): Aside<T> {
    this.#observer.request('hit');
    return { value, cache: 'HIT' };
  }

  async #bypass<T>(load: () => Promise<Loaded<T>>): Promise<Aside<T>> {
    this.#observer.request('bypass');
    return { ...(await load()), cache: 'BYPASS' };
  }

  async #once<T>(key: string, load: () => Promise<Loaded<T>>): Promise<Loaded<T>> {
    const pending = this.#inflight.get(key) as Promise<Loaded<T>> | undefined;
    if (pending) return pending;
    const loading = load();
    this.#inflight.set(key, loading);
    try {
      return await loading;
    } finally {
      this.#inflight.delete(key);
    }
  }
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
