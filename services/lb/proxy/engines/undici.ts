/**
 * The undici engine (default): one undici Pool per backend, requests dispatched with a raw
 * handler (no promise, no web streams), the response streamed straight into the client's response
 * with backpressure. A request body goes through a BodyRelay, read only once connected, so a
 * refused or timed-out connect leaves it untouched for a retry on another backend.
 */
import { type Dispatcher, Pool } from 'undici';
import type { LbConfig } from '../../config/types.ts';
import type { Backend } from '../../pools/backend.ts';
import type { AttemptEvents, AttemptHandle, Engine, Upstream } from '../engine.ts';
import { BodyRelay } from './body-relay.ts';
import { UndiciAttempt } from './undici-attempt.ts';

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
      connections: this.#config.admission.backendMaxConnections,
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
    const t = this.#config.timeouts;
    const handler = new UndiciAttempt(u, attempt, events, t.responseHeadersMs);
    (b.transport as Pool).dispatch(
      {
        path: req.url as string,
        method: req.method as Dispatcher.HttpMethod,
        headers: u.headers as string[],
        body: u.hasBody ? new BodyRelay(req, handler) : null,
        headersTimeout: u.hasBody ? 0 : t.responseHeadersMs,
        bodyTimeout: t.backendIdleMs,
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
