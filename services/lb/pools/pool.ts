/**
 * A pool at run time: its backends (replaced as a whole when membership changes), its mode
 * (normal, panic, down: pool-state.ts), the pool it falls back to, picker and counters.
 */
import type { LbAlgorithm } from '../../shared/config/flags.ts';
import { createPicker, type Picker } from '../balancer/algorithms.ts';
import { cookieSuffix } from '../sticky/codec.ts';
import type { Backend } from './backend.ts';
import { type PoolMode, poolState, routableIn } from './pool-state.ts';

/** Upper bounds (seconds) of the request-duration histogram buckets; +Inf is implied. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

export class PoolCounters {
  requests = 0;
  noBackend = 0;
  retries = 0;
  stickyRedispatches = 0;
  /** Requests handed to the fallback pool because this one had no healthy backend. */
  fallbacks = 0;
  /** Requests sent while the pool was in panic. */
  panicRequests = 0;
  /** 503s because the queue was full / a request waited longer than the queue timeout. */
  queueFull = 0;
  queueTimeouts = 0;
  /** One count per bucket plus the +Inf bucket (not cumulative). */
  readonly latency: number[] = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  latencySum = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[i] as number)) i++;
    (this.latency as number[])[i] = (this.latency[i] as number) + 1;
    this.latencySum += seconds;
  }
}

export interface StickyCookie {
  readonly name: string;
  /** `name=`, searched for in Cookie headers. */
  readonly needle: string;
  /** `; Path=/; HttpOnly; ...` appended to `name=token`. */
  readonly suffix: string;
}

export class Pool {
  readonly name: string;
  readonly index: number;
  backends: readonly Backend[] = [];
  readonly byToken = new Map<string, Backend>();
  readonly pick: Picker<Backend>;
  readonly cookie: StickyCookie;
  readonly counters = new PoolCounters();
  mode: PoolMode = 'down';
  /** Healthy backends (up, weight above 0). */
  healthy = 0;
  /** Serves this pool's requests while it has no healthy backend (LB_POOL_FALLBACK). */
  fallback: Pool | null = null;

  constructor(
    name: string,
    index: number,
    algorithm: LbAlgorithm,
    maxInflight: number,
    cookie: { name: string; secure: boolean; maxAge: number },
  ) {
    this.name = name;
    this.index = index;
    this.pick = createPicker<Backend>(algorithm, Math.random, maxInflight);
    this.cookie = {
      name: cookie.name,
      needle: `${cookie.name}=`,
      suffix: cookieSuffix({ secure: cookie.secure, maxAge: cookie.maxAge }),
    };
  }

  /** Number of backends that are up. */
  upCount(): number {
    let n = 0;
    for (const b of this.backends) if (b.up) n++;
    return n;
  }

  /** Recomputes the mode and which backends take requests. */
  refresh(panicPercent: number): void {
    const state = poolState(this.backends, panicPercent);
    this.mode = state.mode;
    this.healthy = state.healthy;
    for (const b of this.backends) b.routable = routableIn(state.mode, b);
  }
}
