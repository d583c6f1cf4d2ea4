/**
 * The undici engine (default): one undici Pool per backend, requests dispatched with a raw
 * handler (no promise, no web streams), the response streamed straight into the client's response
 * with backpressure. A request body goes through a BodyRelay, read only once connected, so a
 * refused or timed-out connect leaves it untouched for a retry on another backend.
 */
import { type Dispatcher, Pool } from 'undici';
import type { LbConfig } from '../config/types.ts';
import type { Backend } from '../pools/backend.ts';
import { BodyRelay, type RelayEvents } from './body-relay.ts';
import type { AttemptEvents, AttemptHandle, Engine, Upstream } from './engine.ts';

const timeout = (message: string): Error =>
  Object.assign(new Error(message), { code: 'LB_HEADERS_TIMEOUT' });

/**
 * One attempt's handler: undici's callbacks become the attempt's reports. With a request body
 * the response-head deadline starts when the body has been handed over, and also applies while
 * the backend stops taking the body (RelayEvents); undici's own deadline is off for it.
 */
class Attempt<U extends Upstream>
  implements Dispatcher.DispatchHandler, AttemptHandle, RelayEvents
{
  readonly #u: U;
  readonly #attempt: number;
  readonly #events: AttemptEvents<U>;
  readonly #headersMs: number;
  #abort: ((err?: Error) => void) | null = null;
  #aborted = false;
  #resume: (() => void) | null = null;
  #onDrain: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(u: U, attempt: number, events: AttemptEvents<U>, headersMs: number) {
    this.#u = u;
    this.#attempt = attempt;
    this.#events = events;
    this.#headersMs = headersMs;
  }

  abort(error: Error): void {
    this.#aborted = true;
    this.#abort?.(error);
  }

  sent(): void {
    this.#startTimer('no response head in time after the request was sent');
  }

  stalled(stalled: boolean): void {
    if (stalled) this.#startTimer('the backend stopped reading the request body');
    else this.#stopTimer();
  }

  #startTimer(message: string): void {
    this.#stopTimer();
    this.#timer = setTimeout(() => this.abort(timeout(message)), this.#headersMs);
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#aborted) abort();
    else this.#abort = abort;
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    this.#stopTimer();
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
    this.#done();
    this.#events.end(this.#u, this.#attempt);
  }

  onError(error: Error): void {
    this.#done();
    this.#events.error(this.#u, this.#attempt, error);
  }

  #done(): void {
    this.#stopTimer();
    if (this.#onDrain !== null) this.#u.res.off('drain', this.#onDrain);
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
    const handler = new Attempt(u, attempt, events, t.responseHeadersMs);
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
