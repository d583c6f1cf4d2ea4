/**
 * The undici engine (default): one undici Pool per backend, requests dispatched with a raw
 * handler (no promise, no web streams), the response streamed straight into the client's response
 * with backpressure. undici reads the request body only once connected, so a refused or timed-out
 * connect leaves the body untouched for a retry on another backend.
 */
import { type Dispatcher, Pool } from 'undici';
import type { LbConfig } from '../config/types.ts';
import type { Backend } from '../pools/backend.ts';
import type { AttemptEvents, AttemptHandle, Engine, Upstream } from './engine.ts';

/** One attempt's handler: undici's callbacks become the attempt's reports. */
class Attempt<U extends Upstream> implements Dispatcher.DispatchHandler, AttemptHandle {
  readonly #u: U;
  readonly #attempt: number;
  readonly #events: AttemptEvents<U>;
  #abort: ((err?: Error) => void) | null = null;
  #aborted = false;
  #resume: (() => void) | null = null;
  #onDrain: (() => void) | null = null;

  constructor(u: U, attempt: number, events: AttemptEvents<U>) {
    this.#u = u;
    this.#attempt = attempt;
    this.#events = events;
  }

  abort(error: Error): void {
    this.#aborted = true;
    this.#abort?.(error);
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#aborted) abort();
    else this.#abort = abort;
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    this.#resume = resume;
    return this.#events.head(this.#u, this.#attempt, status, raw);
  }

  onData(chunk: Buffer): boolean {
    const res = this.#u.res;
    if (res.write(chunk)) return true;
    if (this.#onDrain === null) {
      this.#onDrain = () => this.#resume?.();
      res.on('drain', this.#onDrain);
    }
    return false;
  }

  onComplete(): void {
    if (this.#onDrain !== null) this.#u.res.off('drain', this.#onDrain);
    this.#events.end(this.#u, this.#attempt);
  }

  onError(error: Error): void {
    if (this.#onDrain !== null) this.#u.res.off('drain', this.#onDrain);
    this.#events.error(this.#u, this.#attempt, error);
  }
}

export class UndiciEngine implements Engine {
  readonly name = 'undici' as const;
  readonly #config: LbConfig;
  readonly #pools = new Set<Pool>();

  constructor(config: LbConfig) {
    this.#config = config;
  }

  open(b: Backend): void {
    const t = this.#config.timeouts;
    const pool = new Pool(`http://${b.address}`, {
      connections: this.#config.backendMaxConnections,
      pipelining: 1,
      keepAliveTimeout: t.backendKeepAliveMs,
      keepAliveMaxTimeout: t.backendKeepAliveMs,
      headersTimeout: t.responseHeadersMs,
      bodyTimeout: t.backendIdleMs,
      connect: { timeout: t.connectMs, noDelay: true },
      strictContentLength: true,
    });
    pool.on('connectionError', () => {});
    b.transport = pool;
    this.#pools.add(pool);
  }

  release(b: Backend): void {
    const pool = b.transport as Pool | null;
    if (pool === null) return;
    this.#pools.delete(pool);
    pool.close().catch(() => {});
  }

  forward<U extends Upstream>(
    b: Backend,
    u: U,
    attempt: number,
    events: AttemptEvents<U>,
  ): AttemptHandle {
    const req = u.req;
    const handler = new Attempt(u, attempt, events);
    (b.transport as Pool).dispatch(
      {
        path: req.url as string,
        method: req.method as Dispatcher.HttpMethod,
        headers: u.headers as string[],
        body: u.hasBody ? req : null,
        headersTimeout: this.#config.timeouts.responseHeadersMs,
        bodyTimeout: this.#config.timeouts.backendIdleMs,
      },
      handler,
    );
    return handler;
  }

  canReplayBody(u: Upstream): boolean {
    return !u.req.readableDidRead && !u.req.destroyed;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools].map((p) => p.close().catch(() => {})));
    this.#pools.clear();
  }
}
