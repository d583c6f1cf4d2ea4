/**
 * Which backends of a pool take requests (pure). Normally the healthy ones. When fewer than the
 * panic threshold (%) are healthy — most of a pool failing its checks at once usually means a
 * shared cause, not broken servers — the pool is in panic and routes to every backend that still
 * answers (Envoy's healthy_panic_threshold), instead of piling all traffic on a few or refusing
 * it. Backends that refuse connections are never routed to. A pool with nothing to route to is down.
 */
export type PoolMode = 'normal' | 'panic' | 'down';

export interface BackendHealth {
  readonly up: boolean;
  /** Its last check got an answer (any status, or a timeout after connecting). */
  readonly reachable: boolean;
  readonly weight: number;
}

export interface PoolState {
  readonly mode: PoolMode;
  /** Healthy backends with a weight above 0. */
  readonly healthy: number;
}

export function poolState(backends: readonly BackendHealth[], panicPercent: number): PoolState {
  let total = 0;
  let healthy = 0;
  let reachable = 0;
  for (const b of backends) {
    if (b.weight === 0) continue;
    total++;
    if (b.up) healthy++;
    else if (b.reachable) reachable++;
  }
  if (total === 0) return { mode: 'down', healthy };
  if (healthy * 100 >= panicPercent * total)
    return { mode: healthy > 0 ? 'normal' : 'down', healthy };
  return { mode: healthy + reachable > 0 ? 'panic' : 'down', healthy };
}

/** Whether a backend takes requests in a pool of this mode (weight aside: sticky clients). */
export const routableIn = (mode: PoolMode, b: BackendHealth): boolean =>
  b.up || (mode === 'panic' && b.reachable);
