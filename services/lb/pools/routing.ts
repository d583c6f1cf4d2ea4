/**
 * How a pool's requests are served right now: by its own healthy backends (normal), by every
 * backend that still answers (panic), by its fallback pool while it has no healthy backend
 * (HAProxy's `backup`), or not at all (down); and one log line each time that changes.
 */
import type { Logger } from '../../shared/logger.ts';
import type { Pool } from './pool.ts';

export type Routing = 'normal' | 'panic' | 'fallback' | 'down';

/** The pool that serves `pool`'s requests now: its fallback while it has no healthy backend. */
export function servingPool(pool: Pool): Pool {
  const fallback = pool.fallback;
  if (fallback === null || pool.healthy > 0) return pool;
  return fallback.healthy > 0 || pool.mode === 'down' ? fallback : pool;
}

export const routingOf = (pool: Pool): Routing =>
  servingPool(pool) === pool ? pool.mode : 'fallback';

const ROUTING_LOG = {
  normal: 'pool back to normal: its healthy backends take every request',
  panic:
    'pool in panic: too few backends pass their checks, so every backend that still answers takes requests',
  fallback: 'pool has no healthy backend: its requests go to its fallback pool',
  down: 'pool down: no backend takes requests',
} as const;

export function logRouting(
  log: Logger,
  pool: string,
  fallback: string | undefined,
  from: Routing,
  to: Routing,
): void {
  const fields = { pool, from, to, ...(to === 'fallback' ? { fallback } : {}) };
  if (to === 'normal') log.info(fields, ROUTING_LOG[to]);
  else log.warn(fields, ROUTING_LOG[to]);
}
