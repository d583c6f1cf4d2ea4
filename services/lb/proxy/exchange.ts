/**
 * One client request on its way through the LB: sticky lookup, backend pick, forwarding through
 * the engine, retries on another backend when RELIABILITY.md allows, the response head written
 * with the LB's headers, and the bookkeeping (in-flight, counters, passive health, access log).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { filterResponseHeaders } from '../headers/response.ts';
import { observeFailure, observeStatus } from '../health/passive.ts';
import type { Backend } from '../pools/backend.ts';
import type { Pool } from '../pools/pool.ts';
import { classify, type Failure, NO_BACKEND, replyFor } from '../retry/classify.ts';
import { decideRetry } from '../retry/decide.ts';
import { resolveSticky } from '../sticky/resolve.ts';
import { logAccess } from './access-log.ts';
import type { ProxyContext } from './context.ts';
import { sendError } from './replies.ts';

/** Each response in flight points at its exchange, so one shared 'close' listener serves them all. */
const kExchange = Symbol('lb.exchange');
type TrackedResponse = ServerResponse & { [kExchange]?: Exchange };

function onResponseClose(this: TrackedResponse): void {
  this[kExchange]?.clientClosed();
}

export class Exchange {
  readonly ctx: ProxyContext;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly pool: Pool;
  readonly id: string;
  /** Headers to send to the backend, flat name/value list. */
  readonly headers: string[];
  readonly hasBody: boolean;
  readonly startedAt: number;
  backend: Backend | null = null;
  /** Increments per attempt; engines ignore callbacks from an earlier attempt. */
  attempt = 0;
  retries = 0;
  /** Kept request body for engines that must read it before sending (null = streamed). */
  replayBody: Buffer | null = null;
  /** Aborts the current upstream attempt (set by the engine). */
  abort: ((error?: Error) => void) | null = null;
  responseStarted = false;
  status = 0;
  /** When the response headers arrived (performance.now()), 0 until then. */
  headersAt = 0;
  #tried: Backend[] | null = null;
  #sticky: Backend | undefined;
  #stickyValue: string | undefined;
  #lastFailure: Failure | null = null;
  #heldRetries = 0;
  #served: Backend | null = null;
  #clientGone = false;
  #https = false;
  #done = false;

  constructor(
    ctx: ProxyContext,
    req: IncomingMessage,
    res: ServerResponse,
    pool: Pool,
    headers: string[],
    hasBody: boolean,
  ) {
    this.ctx = ctx;
    this.req = req;
    this.res = res;
    this.pool = pool;
    this.headers = headers;
    this.hasBody = hasBody;
    this.id = `${ctx.idPrefix}${(++ctx.seq).toString(36)}`;
    this.startedAt = performance.now();
  }

  /** Adds the LB's forwarding headers and the cookie (without ours), then sends the first attempt. */
  start(proto: string, host: string, cookie: string): void {
    const ctx = this.ctx;
    this.#https = proto === 'https';
    ctx.budget.requestStarted();
    this.pool.counters.requests++;
    let rest = cookie;
    if (ctx.config.sticky.enabled) {
      const sticky = resolveSticky(this.pool, cookie);
      rest = sticky.rest;
      this.#stickyValue = sticky.value;
      this.#sticky = sticky.backend;
    }
    if (rest !== '') this.headers.push('cookie', rest);
    const ip = this.req.socket.remoteAddress ?? '';
    this.headers.push(
      'x-forwarded-for',
      ip.startsWith('::ffff:') ? ip.slice(7) : ip,
      'x-forwarded-proto',
      proto,
      'x-forwarded-host',
      host,
      'x-request-id',
      this.id,
    );
    (this.res as TrackedResponse)[kExchange] = this;
    this.res.on('close', onResponseClose);
    this.#next();
  }

  #next(): void {
    const b = this.#sticky ?? this.pool.pick(this.pool.backends, this.#tried);
    this.#sticky = undefined;
    if (b === undefined) {
      if (this.#lastFailure === null) {
        this.pool.counters.noBackend++;
        this.#reply(NO_BACKEND.status, NO_BACKEND.code, NO_BACKEND.message);
      } else {
        const r = replyFor(this.#lastFailure);
        this.#reply(r.status, r.code, r.message);
      }
      return;
    }
    this.backend = b;
    b.inflight++;
    b.counters.requests++;
    this.attempt++;
    this.ctx.engine.forward(this);
  }

  /** The backend answered: write the response head with the LB's headers. */
  upstreamHead(status: number, raw: readonly (Buffer | string)[]): void {
    const b = this.backend;
    if (b === null || this.#clientGone) return;
    this.responseStarted = true;
    this.status = status;
    this.headersAt = performance.now();
    const counts = b.counters.responses;
    const cls = status >= 100 && status < 600 ? (status / 100) | 0 : 5;
    counts[cls] = (counts[cls] ?? 0) + 1;
    if (observeStatus(b.streak, status, this.ctx.config.health.ejectAfterFailures)) {
      if (this.pool.upCount() > 1) this.ctx.eject(b, `${b.streak.failures} consecutive 5xx`);
    }
    const out: string[] = [];
    filterResponseHeaders(raw, out);
    const ctx = this.ctx;
    if (ctx.config.sticky.enabled && this.#stickyValue !== b.token) {
      out.push('set-cookie', `${this.pool.cookie.needle}${b.token}${this.pool.cookie.suffix}`);
    }
    if (ctx.hsts !== null && this.#https) out.push('strict-transport-security', ctx.hsts);
    out.push('x-request-id', this.id);
    if (ctx.draining) out.push('connection', 'close');
    this.res.writeHead(status, out);
  }

  upstreamEnd(): void {
    this.#endAttempt();
    this.res.end();
    this.#finish();
  }

  upstreamError(error: unknown): void {
    const b = this.#endAttempt();
    if (this.#done || this.#clientGone) return;
    const failure = classify(error);
    if (b !== null) {
      b.counters.failures[failure]++;
      const connectFailure = failure === 'refused' || failure === 'connect-timeout';
      if (observeFailure(b.streak, failure, this.ctx.config.health.ejectAfterFailures)) {
        if (connectFailure || this.pool.upCount() > 1) this.ctx.eject(b, failure);
      }
      if (this.#tried === null) this.#tried = [b];
      else this.#tried.push(b);
    }
    this.#lastFailure = failure;
    if (this.responseStarted) {
      this.res.destroy();
      this.#finish();
      return;
    }
    const input = {
      failure,
      method: this.req.method ?? 'GET',
      hasBody: this.hasBody,
      bodyConsumed: this.hasBody && !this.ctx.engine.canReplayBody(this),
      responseStarted: false,
      retries: this.retries,
      maxRetries: this.ctx.config.retry.maxRetries,
      budgetAllows: true,
    };
    // The budget is only consulted (and a slot taken) when everything else allows a retry.
    let verdict = decideRetry(input);
    if (verdict === 'retry' && !this.#acquireRetry())
      verdict = decideRetry({ ...input, budgetAllows: false });
    if (verdict === 'retry') {
      this.retries++;
      this.pool.counters.retries++;
      if (b !== null) b.counters.retries++;
      this.#next();
      return;
    }
    const r = replyFor(failure);
    this.#reply(r.status, r.code, r.message);
  }

  #acquireRetry(): boolean {
    if (!this.ctx.budget.tryAcquire()) return false;
    this.#heldRetries++;
    return true;
  }

  #endAttempt(): Backend | null {
    const b = this.backend;
    if (b !== null) {
      b.inflight--;
      this.backend = null;
      this.#served = b;
    }
    this.abort = null;
    return b;
  }

  #reply(status: number, code: string, message: string): void {
    this.status = status;
    // A request whose body has not all arrived cannot share its connection with the next one.
    sendError(this.res, status, code, message, this.id, this.ctx.draining || !this.req.complete);
    this.#finish();
  }

  /** The client connection closed (after a complete response too): abort what is still running. */
  clientClosed(): void {
    if (this.#done) return;
    this.#clientGone = true;
    const abort = this.abort;
    if (abort !== null) abort(new Error('client closed the connection'));
    this.#endAttempt();
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    const ctx = this.ctx;
    ctx.budget.requestFinished();
    for (; this.#heldRetries > 0; this.#heldRetries--) ctx.budget.retryFinished();
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.pool.counters.observe(seconds);
    if (ctx.accessLog !== null) {
      logAccess(ctx, {
        id: this.id,
        req: this.req,
        pool: this.pool.name,
        backend: this.#served?.address,
        status: this.status,
        retries: this.retries,
        seconds,
        headersSeconds: this.headersAt === 0 ? null : (this.headersAt - this.startedAt) / 1000,
      });
    }
  }
}
