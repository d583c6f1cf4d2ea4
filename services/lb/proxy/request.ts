/**
 * One client request on its way through the LB, as plain state. The passes (passes/) read and
 * write it; the driver (forward.ts) runs them in order. Engines only see it as an `Upstream`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Inspection } from '../headers/request.ts';
import type { Backend } from '../pools/backend.ts';
import type { Pool } from '../pools/pool.ts';
import type { Failure } from '../retry/classify.ts';
import type { Waiter, WaitQueue } from './admission.ts';
import type { ProxyContext } from './context.ts';
import type { AttemptHandle, Upstream } from './engine.ts';

export class ProxyRequest implements Upstream, Waiter {
  readonly ctx: ProxyContext;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly id: string;
  readonly https: boolean;
  /** The request's Host header value. */
  readonly host: string;
  /** All Cookie headers joined ('' when none). */
  readonly cookie: string;
  /** Headers to send to the backend, flat name/value list. */
  readonly headers: string[];
  readonly hasBody: boolean;
  readonly startedAt: number;
  /** The pool routing chose. */
  readonly routed: Pool;
  /** The pool serving the request: `routed`, or its fallback while it has no healthy backend. */
  pool: Pool;
  /** The backend of the attempt in progress. */
  backend: Backend | null = null;
  /** Increments per attempt; reports from an earlier attempt are ignored. */
  attempt = 0;
  retries = 0;
  /** Retry-budget slots this request holds. */
  heldRetries = 0;
  /** Backends this request already failed on (never picked again for it). */
  tried: Backend[] | null = null;
  /** The backend the sticky cookie names, while it is still to be used. */
  sticky: Backend | undefined = undefined;
  /** The sticky cookie value the client sent. */
  stickyValue: string | undefined = undefined;
  lastFailure: Failure | null = null;
  /** The backend of the last attempt (for the access log). */
  served: Backend | null = null;
  upstream: AttemptHandle | null = null;
  /** The admission queue the request waits in, and since when. */
  waiting: WaitQueue | null = null;
  queuedAt = 0;
  responseStarted = false;
  /** The backend answered before the request body had all arrived. */
  early = false;
  status = 0;
  /** When the response headers arrived (performance.now()), 0 until then. */
  headersAt = 0;
  clientGone = false;
  done = false;

  constructor(
    ctx: ProxyContext,
    req: IncomingMessage,
    res: ServerResponse,
    pool: Pool,
    https: boolean,
    inspected: Inspection,
    headers: string[],
  ) {
    this.ctx = ctx;
    this.req = req;
    this.res = res;
    this.routed = pool;
    this.pool = pool;
    this.https = https;
    this.headers = headers;
    this.hasBody = inspected.hasBody;
    this.host = inspected.host;
    this.cookie = inspected.cookie;
    this.id = `${ctx.idPrefix}${(++ctx.seq).toString(36)}`;
    this.startedAt = performance.now();
  }
}
