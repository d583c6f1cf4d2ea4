/**
 * An LRU map bounded in bytes: every entry declares its size, and inserting beyond the budget
 * evicts the least recently used entries first. An entry larger than the whole budget is refused.
 * A Map keeps insertion order, so a hit re-inserts its key to become the most recent. Pure.
 */
export interface Sized {
  /** Bytes this entry holds (body plus a fixed overhead the caller chooses). */
  readonly size: number;
}

export interface LruStats {
  readonly entries: number;
  readonly bytes: number;
  readonly maxBytes: number;
  readonly evictions: number;
}

export class ByteLru<V extends Sized> {
  readonly #maxBytes: number;
  readonly #map = new Map<string, V>();
  #bytes = 0;
  #evictions = 0;

  constructor(maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)
      throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
    this.#maxBytes = maxBytes;
  }

  /** The entry, marked most recently used. */
  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  /** The entry without touching its recency. */
  peek(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Stores `value`, evicting older entries as needed. False when it can never fit. */
  set(key: string, value: V): boolean {
    if (!Number.isSafeInteger(value.size) || value.size < 0)
      throw new RangeError(`size must be a non-negative integer, got ${value.size}`);
    this.delete(key);
    if (value.size > this.#maxBytes) return false;
    while (this.#bytes + value.size > this.#maxBytes) {
      const oldest = this.#map.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
      this.#evictions += 1;
    }
    this.#map.set(key, value);
    this.#bytes += value.size;
    return true;
  }

  delete(key: string): boolean {
    const value = this.#map.get(key);
    if (value === undefined) return false;
    this.#map.delete(key);
    this.#bytes -= value.size;
    return true;
  }

  /** Deletes every key starting with `prefix`; returns how many. */
  deletePrefix(prefix: string): number {
    let removed = 0;
    for (const key of [...this.#map.keys()]) {
      if (key.startsWith(prefix) && this.delete(key)) removed += 1;
    }
    return removed;
  }

  /** Keys from least to most recently used. */
  keys(): string[] {
    return [...this.#map.keys()];
  }

  stats(): LruStats {
    return {
      entries: this.#map.size,
      bytes: this.#bytes,
      maxBytes: this.#maxBytes,
      evictions: this.#evictions,
    };
  }
}
