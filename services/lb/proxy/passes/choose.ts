/**
 * Choosing where an attempt goes: the pool that serves the request now (its own, or its fallback
 * while it has no healthy backend), then a backend of it with a free connection slot — or the
 * verdict that every usable backend is full (the request may queue) or that there is none.
 */
import type { Backend } from '../../pools/backend.ts';
import type { Pool } from '../../pools/pool.ts';
import { servingPool } from '../../pools/routing.ts';
import type { ProxyRequest } from '../request.ts';

/** Moves the request to the pool that serves its routed pool now, counting a fallback once. */
export function serve(r: ProxyRequest): void {
  const pool = servingPool(r.routed);
  if (pool === r.pool) return;
  if (r.pool === r.routed) r.routed.counters.fallbacks++;
  r.pool = pool;
}

export function choose(pool: Pool, tried: readonly Backend[] | null): Backend | 'full' | 'none' {
  const b = pool.pick(pool.backends, tried);
  if (b !== undefined) return b;
  for (const x of pool.backends)
    if (x.routable && x.weight > 0 && (tried === null || !tried.includes(x))) return 'full';
  return 'none';
}
