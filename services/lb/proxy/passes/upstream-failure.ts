/**
 * Passes over a failed attempt, in order: count the failure on its backend, let passive health
 * see it, remember the backend so no retry picks it again. Then `mayRetry` decides (RELIABILITY.md
 * rules, attempt limit, retry budget) whether another backend gets the request.
 */
import { observeFailure } from '../../health/passive.ts';
import type { Backend } from '../../pools/backend.ts';
import type { Failure } from '../../retry/classify.ts';
import { decideRetry, type RetryInput } from '../../retry/decide.ts';
import type { ProxyRequest } from '../request.ts';

export type FailurePass = (r: ProxyRequest, b: Backend, failure: Failure) => void;

export function countFailure(_r: ProxyRequest, b: Backend, failure: Failure): void {
  b.counters.failures[failure]++;
}

/**
 * A refused connect ejects at once; other failures count while another backend is healthy. A
 * connection dropped while the client was still uploading is the backend refusing the body (it
 * answers early and closes): not held against it.
 */
export function passiveHealth(r: ProxyRequest, b: Backend, failure: Failure): void {
  if (failure === 'reset' && r.hasBody && !r.req.complete) return;
  const connectFailure = failure === 'refused' || failure === 'connect-timeout';
  if (observeFailure(b.streak, failure, r.ctx.config.health.ejectAfterFailures)) {
    if (connectFailure || r.pool.healthy > 1)
      r.ctx.eject(b, failure, !connectFailure && b.reachable);
  }
}

export function rememberTried(r: ProxyRequest, b: Backend): void {
  if (r.tried === null) r.tried = [b];
  else r.tried.push(b);
}

export const UPSTREAM_FAILURE: readonly FailurePass[] = [
  countFailure,
  passiveHealth,
  rememberTried,
];

/**
 * Whether to send the request to another backend. The budget is consulted (and a slot taken,
 * held until the request finishes) only when everything else allows a retry.
 */
export function mayRetry(r: ProxyRequest, failure: Failure, bodyReplayable: boolean): boolean {
  const ctx = r.ctx;
  const input: RetryInput = {
    failure,
    method: r.req.method ?? 'GET',
    hasBody: r.hasBody,
    bodyConsumed: r.hasBody && !bodyReplayable,
    responseStarted: r.responseStarted,
    retries: r.retries,
    maxRetries: ctx.config.retry.maxRetries,
    budgetAllows: true,
  };
  if (decideRetry(input) !== 'retry') return false;
  if (!ctx.budget.tryAcquire()) return false;
  r.heldRetries++;
  return true;
}
