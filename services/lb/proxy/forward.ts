/**
 * The driver of a request: runs the passes in order (incoming; per attempt the choice of a
 * backend, admission and the engine; then the response-head or failure passes; finally the finish
 * passes) and is the one receiver of the engines' attempt reports and of the admission queues'
 * verdicts. All state lives in the ProxyRequest.
 */
import type { ServerResponse } from 'node:http';
import type { Backend } from '../pools/backend.ts';
import { classify, NO_BACKEND, replyFor } from '../retry/classify.ts';
import type { AdmissionEvents, Waiter } from './admission.ts';
import type { AttemptEvents, RawHeaders } from './engine.ts';
import { choose, serve } from './passes/choose.ts';
import { INCOMING } from './passes/incoming.ts';
import { RESPONSE_HEAD } from './passes/response-head.ts';
import { mayRetry, UPSTREAM_FAILURE } from './passes/upstream-failure.ts';
import { QUEUE_FULL, QUEUE_TIMEOUT } from './replies.ts';
import type { ProxyRequest } from './request.ts';
import { endAttempt, finish, reply, stopReading } from './settle.ts';

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

/**
 * The sticky backend while it takes requests and its pool serves the request, else a backend of
 * the serving pool (its own or its fallback); or a queue when every usable backend is full.
 */
function nextAttempt(r: ProxyRequest): void {
  const admission = r.ctx.admission;
  serve(r);
  const sticky = r.sticky;
  r.sticky = undefined;
  if (sticky?.routable && r.pool === r.routed) {
    if (sticky.inflight < r.ctx.config.admission.backendMaxConnections) {
      send(r, sticky);
      return;
    }
    if (admission.waitFor(sticky, r)) return;
  }
  const choice = choose(r.pool, r.tried);
  if (choice === 'full') {
    if (admission.waitIn(r.pool, r)) return;
    r.pool.counters.queueFull++;
    reply(r, QUEUE_FULL.status, QUEUE_FULL.code, QUEUE_FULL.message);
  } else if (choice !== 'none') send(r, choice);
  else if (r.lastFailure !== null) {
    const e = replyFor(r.lastFailure);
    reply(r, e.status, e.code, e.message);
  } else {
    r.pool.counters.noBackend++;
    reply(r, NO_BACKEND.status, NO_BACKEND.code, NO_BACKEND.message);
  }
}

function send(r: ProxyRequest, b: Backend): void {
  r.backend = b;
  b.inflight++;
  b.counters.requests++;
  if (r.pool.mode === 'panic') r.pool.counters.panicRequests++;
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
  r.early = r.hasBody && !r.req.complete;
  const out: string[] = [];
  for (const pass of RESPONSE_HEAD) pass(r, b, status, raw, out);
  r.res.writeHead(status, out);
  return true;
}

function onEnd(r: ProxyRequest, attempt: number): void {
  if (!current(r, attempt)) return;
  endAttempt(r);
  if (r.early) stopReading(r);
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

export const ADMISSION_EVENTS: AdmissionEvents = {
  admitted: (w: Waiter, b: Backend) => send(w as ProxyRequest, b),
  expired: (w: Waiter) => {
    const r = w as ProxyRequest;
    r.pool.counters.queueTimeouts++;
    reply(r, QUEUE_TIMEOUT.status, QUEUE_TIMEOUT.code, QUEUE_TIMEOUT.message);
  },
};

/** The client connection closed (after a complete response too): abort what is still running. */
function clientClosed(r: ProxyRequest): void {
  if (r.done) return;
  r.clientGone = true;
  r.ctx.admission.leave(r);
  r.upstream?.abort(new Error('client closed the connection'));
  endAttempt(r);
  finish(r);
}
