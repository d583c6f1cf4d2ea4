/**
 * One attempt of the http-proxy engine: the upstream request's timers (connect, response head
 * from the end of the request body, response body idle) and its response, whose head becomes the
 * attempt's report (AttemptEvents) and whose body is piped into the client's response.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { LbConfig } from '../../config/types.ts';
import type { AttemptEvents, AttemptHandle, Upstream } from '../engine.ts';

const coded = (code: string, message: string): Error => Object.assign(new Error(message), { code });

export class HttpProxyAttempt<U extends Upstream> implements AttemptHandle {
  readonly u: U;
  readonly #attempt: number;
  readonly #events: AttemptEvents<U>;
  readonly #config: LbConfig;
  #proxyReq: ClientRequest | null = null;
  #aborted = false;
  #headersTimer: NodeJS.Timeout | undefined;
  #responded = false;

  constructor(u: U, attempt: number, events: AttemptEvents<U>, config: LbConfig) {
    this.u = u;
    this.#attempt = attempt;
    this.#events = events;
    this.#config = config;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  abort(error: Error): void {
    this.#aborted = true;
    this.#proxyReq?.destroy(error);
  }

  /** http-proxy created the upstream request and it has a socket. */
  onProxyReq(proxyReq: ClientRequest): void {
    const t = this.#config.timeouts;
    this.#proxyReq = proxyReq;
    if (this.#aborted) {
      proxyReq.destroy();
      return;
    }
    const socket = proxyReq.socket;
    if (socket?.connecting) {
      const timer = setTimeout(
        () => proxyReq.destroy(coded('LB_CONNECT_TIMEOUT', 'connect timeout')),
        t.connectMs,
      );
      socket.once('connect', () => clearTimeout(timer));
      proxyReq.once('close', () => clearTimeout(timer));
    }
    // The wait for the response head starts once the whole request is sent (a slow upload is
    // the client's time, not the backend's).
    proxyReq.once('finish', () => {
      if (this.#responded) return;
      this.#headersTimer = setTimeout(
        () => proxyReq.destroy(coded('LB_HEADERS_TIMEOUT', 'response headers timeout')),
        t.responseHeadersMs,
      );
    });
    proxyReq.once('close', () => clearTimeout(this.#headersTimer));
    proxyReq.setTimeout(t.backendIdleMs, () => {
      if (this.#responded) proxyReq.destroy(coded('LB_BODY_TIMEOUT', 'response body timeout'));
    });
    proxyReq.once('response', (proxyRes: IncomingMessage) => this.#onResponse(proxyRes));
  }

  #onResponse(proxyRes: IncomingMessage): void {
    clearTimeout(this.#headersTimer);
    this.#responded = true;
    const u = this.u;
    if (!this.#events.head(u, this.#attempt, proxyRes.statusCode ?? 502, proxyRes.rawHeaders)) {
      proxyRes.destroy();
      return;
    }
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      this.#events.error(u, this.#attempt, error);
    };
    proxyRes.on('error', fail);
    proxyRes.on('close', () => {
      if (!proxyRes.complete) fail(coded('ECONNRESET', 'backend closed mid-response'));
    });
    proxyRes.on('end', () => {
      if (!failed) this.#events.end(u, this.#attempt);
    });
    proxyRes.pipe(u.res, { end: false });
  }

  onError(error: Error): void {
    clearTimeout(this.#headersTimer);
    this.#events.error(this.u, this.#attempt, error);
  }
}
