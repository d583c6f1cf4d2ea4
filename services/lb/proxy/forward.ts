/**
 * The driver of a request: runs the passes in order (incoming, then per attempt the backend pick
 * and the engine, then the response-head or failure passes, finally the finish passes) and is
 * the one receiver of the engines' attempt reports. All state lives in the ProxyRequest.
 */
import type { ServerResponse } from 'node:http';
import type { Backend } from '../pools/backend.ts';
import { classify, NO_BACKEND, replyFor } from '../retry/classify.ts';
import type { AttemptEvents, RawHeaders } from './engine.ts';
import { FINISH } from './passes/finish.ts';
import { INCOMING } from './passes/incoming.ts';
import { RESPONSE_HEAD } from './passes/response-head.ts';
import { mayRetry, UPSTREAM_FAILURE } from './passes/upstream-failure.ts';
import { sendError } from './replies.ts';
import type { ProxyRequest } from './request.ts';

/** Each response in flight points at its request, so one shared 'close' listener serves them all. */
const kRequest = Symbol('lb.request');
type TrackedResponse = ServerResponse & { [kRequest]?: ProxyRequest };

function onResponseClose(this: TrackedResponse): void {
  const r = this[kRequest];
  if (r !== undefined) clientClosed(r);
}

export function startRequest(r: ProxyRequest): void {
  for (const pass of INCOMING) pass(r);
  (r.res as TrackedResponse)[kRequest] = r;
  r.res.on('close', onResponseClose);
  nextAttempt(r);
}

function nextAttempt(r: ProxyRequest): void {
  const b = r.sticky ?? r.pool.pick(r.pool.backends, r.tried);
  r.sticky = undefined;
  if (b === undefined) {
    if (r.lastFailure === null) {
      r.pool.counters.noBackend++;
      reply(r, NO_BACKEND.status, NO_BACKEND.code, NO_BACKEND.message);
    } else {
      const e = replyFor(r.lastFailure);
      reply(r, e.status, e.code, e.message);
    }
    return;
  }
  r.backend = b;
  b.inflight++;
  b.counters.requests++;
  r.attempt++;
  r.upstream = r.ctx.engine.forward(b, r, r.attempt, EVENTS);
}

const current = (r: ProxyRequest, attempt: number): boolean =>
  r.attempt === attempt && r.backend !== null;

function onHead(r: ProxyRequest, attempt: number, status: number, raw: RawHeaders): boolean {
  const b = r.backend;
  if (!current(r, attempt) || b === null || r.clientGone) return false;
  r.responseStarted = true;
  r.status = status;
  r.headersAt = performance.now();
  const out: string[] = [];
  for (const pass of RESPONSE_HEAD) pass(r, b, status, raw, out);
  r.res.writeHead(status, out);
  return true;
}

function onEnd(r: ProxyRequest, attempt: number): void {
  if (!current(r, attempt)) return;
  endAttempt(r);
  r.res.end();
  finish(r);
}

function onError(r: ProxyRequest, attempt: number, error: unknown): void {
  if (r.attempt !== attempt) return;
  const b = endAttempt(r);
  if (r.done || r.clientGone) return;
  const failure = classify(error);
  if (b !== null) for (const pass of UPSTREAM_FAILURE) pass(r, b, failure);
  r.lastFailure = failure;
  if (r.responseStarted) {
    r.res.destroy();
    finish(r);
    return;
  }
  if (mayRetry(r, failure, r.ctx.engine.canReplayBody(r))) {
    r.retries++;
    r.pool.counters.retries++;
    if (b !== null) b.counters.retries++;
    nextAttempt(r);
    return;
  }
  const e = replyFor(failure);
  reply(r, e.status, e.code, e.message);
}

const EVENTS: AttemptEvents<ProxyRequest> = { head: onHead, end: onEnd, error: onError };

function endAttempt(r: ProxyRequest): Backend | null {
  const b = r.backend;
  if (b !== null) {
    b.inflight--;
    r.backend = null;
    r.served = b;
  }
  r.upstream = null;
  return b;
}

function reply(r: ProxyRequest, status: number, code: string, message: string): void {
  r.status = status;
  // A request whose body has not all arrived cannot share its connection with the next one.
  sendError(r.res, status, code, message, r.id, r.ctx.draining || !r.req.complete);
  finish(r);
}

/** The client connection closed (after a complete response too): abort what is still running. */
function clientClosed(r: ProxyRequest): void {
  if (r.done) return;
  r.clientGone = true;
  r.upstream?.abort(new Error('client closed the connection'));
  endAttempt(r);
  finish(r);
}

function finish(r: ProxyRequest): void {
  if (r.done) return;
  r.done = true;
  const seconds = (performance.now() - r.startedAt) / 1000;
  for (const pass of FINISH) pass(r, seconds);
}
