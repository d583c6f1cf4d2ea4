/**
 * Sessions in Redis (stage 3+): shared by every web server, so any server can answer any request.
 * Failures surface as SessionStoreUnavailableError (answered 503), never as a 500.
 */
import type { Redis } from 'ioredis';
import {
  decodeSession,
  type SessionData,
  type SessionStore,
  SessionStoreUnavailableError,
} from './store.ts';

const PREFIX = 'sess:';

export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis';
  readonly #redis: Redis;

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
