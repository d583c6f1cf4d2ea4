/**
 * Sessions in Redis (stage 3+): shared by every web server, so any server can answer any request.
 * Failures surface as SessionStoreUnavailableError (answered 503), never as a 500.
 *
 * `update` is optimistic compare-and-set: read the session, compute the change, and write it with a
 * Lua script only if the stored text is still exactly what was read (the script runs atomically in
 * Redis); if another change landed in between, read again and retry after a short random pause.
 * WATCH/MULTI would need a connection per request; the script works on the shared one. Changes of
 * one session from this process take turns, so retries are only needed against other servers.
 */
import type { Redis } from 'ioredis';
import {
  decodeSession,
  type SessionChange,
  type SessionData,
  type SessionStore,
  SessionStoreUnavailableError,
} from './store.ts';

const PREFIX = 'sess:';
const MAX_ATTEMPTS = 8;

const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;

export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis';
  readonly #redis: Redis;
  readonly #queues = new Map<string, Promise<void>>();

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async get(id: string): Promise<SessionData | undefined> {
    const text = await this.#call(() => this.#redis.get(PREFIX + id));
    return text === null ? undefined : decodeSession(text);
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    await this.#call(() => this.#redis.set(PREFIX + id, JSON.stringify(data), 'EX', ttlSeconds));
  }

  async update<R>(
    id: string,
    change: (data: SessionData) => SessionChange<R>,
    ttlSeconds: number,
  ): Promise<SessionChange<R> | undefined> {
    // Changes of one session from this process take turns; only other servers' changes can race.
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const turn = previous.then(() => this.#swap(id, change, ttlSeconds));
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return turn;
  }

  async #swap<R>(
    id: string,
    change: (data: SessionData) => SessionChange<R>,
    ttlSeconds: number,
  ): Promise<SessionChange<R> | undefined> {
    const key = PREFIX + id;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      const text = await this.#call(() => this.#redis.get(key));
      const data = text === null ? undefined : decodeSession(text);
      if (text === null || data === undefined) return undefined;
      const next = change(data);
      if (next.data === data) return next;
      const swapped = await this.#call(() =>
        this.#redis.eval(COMPARE_AND_SET, 1, key, text, JSON.stringify(next.data), ttlSeconds),
      );
      if (swapped === 1) return next;
    }
    throw new SessionStoreUnavailableError(
      `session changed ${MAX_ATTEMPTS} times under one update`,
    );
  }

  async destroy(id: string): Promise<void> {
    await this.#call(() => this.#redis.del(PREFIX + id));
  }

  size(): undefined {
    return undefined;
  }

  async close(): Promise<void> {}

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new SessionStoreUnavailableError((error as Error).message, { cause: error });
    }
  }
}
