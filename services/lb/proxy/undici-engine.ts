/**
 * The undici engine (default): one undici Pool per backend, requests dispatched with a raw
 * handler (no promise, no web streams), the response streamed straight into the client's response
 * with backpressure. undici reads the request body only once connected, so a refused or timed-out
 * connect leaves the body untouched for a retry on another backend.
 */
import { type Dispatcher, Pool } from 'undici';
import type { LbConfig } from '../config/types.ts';
import type { Backend } from '../pools/backend.ts';
import type { Engine } from './engine.ts';
import type { Exchange } from './exchange.ts';

/** One attempt's handler; callbacks from a superseded attempt are ignored. */
class Attempt implements Dispatcher.DispatchHandler {
  readonly #ex: Exchange;
  readonly #attempt: number;
  #resume: (() => void) | null = null;
  #onDrain: (() => void) | null = null;

  constructor(ex: Exchange) {
    this.#ex = ex;
    this.#attempt = ex.attempt;
  }

  #current(): boolean {
    return this.#ex.attempt === this.#attempt && this.#ex.backend !== null;
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#current()) this.#ex.abort = abort;
    else abort();
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    if (!this.#current()) return false;
    this.#resume = resume;
    this.#ex.upstreamHead(status, raw);
    return true;
  }

  onData(chunk: Buffer): boolean {
    const res = this.#ex.res;
    if (res.write(chunk)) return true;
    if (this.#onDrain === null) {
      this.#onDrain = () => this.#resume?.();
      res.on('drain', this.#onDrain);
    }
    return false;
  }

  onComplete(): void {
    if (this.#onDrain !== null) this.#ex.res.off('drain', this.#onDrain);
    if (this.#current()) this.#ex.upstreamEnd();
  }

  onError(error: Error): void {
    if (this.#onDrain !== null) this.#ex.res.off('drain', this.#onDrain);
    if (this.#ex.attempt === this.#attempt) this.#ex.upstreamError(error);
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

  forward(ex: Exchange): void {
    const b = ex.backend as Backend;
    const req = ex.req;
    (b.transport as Pool).dispatch(
      {
        path: req.url as string,
        method: req.method as Dispatcher.HttpMethod,
        headers: ex.headers,
        body: ex.hasBody ? req : null,
        headersTimeout: this.#config.timeouts.responseHeadersMs,
        bodyTimeout: this.#config.timeouts.backendIdleMs,
      },
      new Attempt(ex),
    );
  }

  canReplayBody(ex: Exchange): boolean {
    return !ex.req.readableDidRead && !ex.req.destroyed;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools].map((p) => p.close().catch(() => {})));
    this.#pools.clear();
  }
}
