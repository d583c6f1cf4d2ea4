/**
 * memcached operations that never throw and never hang: each one has its own deadline, a circuit
 * breaker stops asking a dead or paused server for a second at a time, and a failure is reported as
 * `error` (distinct from a miss), so callers can say BYPASS rather than pretend it was a MISS.
 *
 * memjs leaves a request pending forever when the server closes the connection cleanly (memcached
 * killed mid-request), so on a deadline the client's connection state is reset, which fails its
 * pending requests instead of leaking them.
 */
import type { Client } from 'memjs';
import { Breaker } from '../../shared/breaker.ts';

export type Got = { kind: 'hit'; text: string } | { kind: 'miss' } | { kind: 'error' };

export class GuardedMemcached {
  readonly #client: Client;
  readonly #deadlineMs: number;
  readonly #onError: () => void;
  readonly #breaker = new Breaker({ threshold: 3, openMs: 1000 });

  constructor(client: Client, deadlineMs: number, onError: () => void) {
    this.#client = client;
    this.#deadlineMs = deadlineMs;
    this.#onError = onError;
  }

  async get(key: string): Promise<Got> {
    const found = await this.#guard(() => this.#client.get(key));
    if (found === undefined) return { kind: 'error' };
    return found.value == null ? { kind: 'miss' } : { kind: 'hit', text: found.value.toString() };
  }

  /** True when stored. */
  async set(key: string, text: string, ttlSeconds: number): Promise<boolean> {
    return (await this.#guard(() => this.#client.set(key, text, { expires: ttlSeconds }))) === true;
  }

  /** Stores only when the key is absent: 'stored', 'exists' or 'error'. */
  async add(key: string, text: string, ttlSeconds: number): Promise<'stored' | 'exists' | 'error'> {
    const added = await this.#guard(() => this.#client.add(key, text, { expires: ttlSeconds }));
    if (added === undefined) return 'error';
    return added ? 'stored' : 'exists';
  }

  close(): void {
    this.#client.close();
  }

  async #guard<R>(operation: () => Promise<R>): Promise<R | undefined> {
    if (!this.#breaker.allow()) {
      this.#onError();
      return undefined;
    }
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
      this.#onError();
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
