/**
 * Sessions in this process's memory (stage 1): lost on restart and invisible to other web servers.
 * Bounded: expired entries are swept, and past `maxEntries` the least recently used one goes.
 */
import { decodeSession, type SessionChange, type SessionData, type SessionStore } from './store.ts';

interface Entry {
  readonly text: string;
  readonly expiresAt: number;
}

export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(maxEntries: number, now: () => number = Date.now) {
    this.#maxEntries = maxEntries;
    this.#now = now;
    this.#sweeper = setInterval(() => this.sweep(), 60_000);
    this.#sweeper.unref();
  }

  async get(id: string): Promise<SessionData | undefined> {
    return this.#read(id);
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    this.#write(id, data, ttlSeconds);
  }

  /** Atomic because nothing in it awaits: no other request runs between the read and the write. */
  async update<R>(
    id: string,
    change: (data: SessionData) => SessionChange<R>,
    ttlSeconds: number,
  ): Promise<SessionChange<R> | undefined> {
    const data = this.#read(id);
    if (data === undefined) return undefined;
    const next = change(data);
    if (next.data !== data) this.#write(id, next.data, ttlSeconds);
    return next;
  }

  #read(id: string): SessionData | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(id);
      return undefined;
    }
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return decodeSession(entry.text);
  }

  #write(id: string, data: SessionData, ttlSeconds: number): void {
    this.#entries.delete(id);
    this.#entries.set(id, {
      text: JSON.stringify(data),
      expiresAt: this.#now() + ttlSeconds * 1000,
    });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  async destroy(id: string): Promise<void> {
    this.#entries.delete(id);
  }

  size(): number {
    return this.#entries.size;
  }

  sweep(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#entries.clear();
  }
}
