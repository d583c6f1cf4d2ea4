/**
 * Passes run once when a request is over (answered, failed or abandoned by the client), in
 * order: give back its budget slots, record its duration, write its access-log line.
 */
import { logAccess } from '../access-log.ts';
import type { ProxyRequest } from '../request.ts';

export type FinishPass = (r: ProxyRequest, seconds: number) => void;

export function releaseBudget(r: ProxyRequest): void {
  const budget = r.ctx.budget;
  budget.requestFinished();
  for (; r.heldRetries > 0; r.heldRetries--) budget.retryFinished();
}

export function observeLatency(r: ProxyRequest, seconds: number): void {
  r.pool.counters.observe(seconds);
}

export function accessLog(r: ProxyRequest, seconds: number): void {
  if (r.ctx.accessLog === null) return;
  logAccess(r.ctx, {
    id: r.id,
    req: r.req,
    pool: r.pool.name,
    backend: r.served?.address,
    status: r.status,
    retries: r.retries,
    seconds,
    headersSeconds: r.headersAt === 0 ? null : (r.headersAt - r.startedAt) / 1000,
  });
}

export const FINISH: readonly FinishPass[] = [releaseBudget, observeLatency, accessLog];
