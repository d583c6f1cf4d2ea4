/**
 * One backend as the proxy sees it: address, weight, health, in-flight count and counters. The
 * counters are plain numbers bumped on the hot path and read when stats are scraped.
 */
import type { Pickable } from '../balancer/algorithms.ts';
import { type HealthState, INITIAL } from '../health/state.ts';
import type { Failure } from '../retry/classify.ts';

export interface CheckInfo {
  /** 'never' until the first check; then whether the last one passed. */
  readonly result: 'never' | 'passed' | 'failed';
  /** HTTP status or error code of the last check. */
  readonly detail: string;
  readonly at: number;
  readonly durationMs: number;
}

export const NO_CHECK: CheckInfo = Object.freeze({
  result: 'never',
  detail: '',
  at: 0,
  durationMs: 0,
});

export const FAILURES: readonly Failure[] = [
  'refused',
  'connect-timeout',
  'reset',
  'headers-timeout',
  'body-timeout',
  'other',
];

export class BackendCounters {
  requests = 0;
  /** Responses by status class: index 1 = 1xx ... 5 = 5xx. */
  readonly responses = [0, 0, 0, 0, 0, 0];
  readonly failures: Record<Failure, number> = {
    refused: 0,
    'connect-timeout': 0,
    reset: 0,
    'headers-timeout': 0,
    'body-timeout': 0,
    other: 0,
  };
  retries = 0;
  ejections = 0;
  stickyHits = 0;
}

export class Backend implements Pickable {
  readonly key: string;
  readonly pool: string;
  readonly host: string;
  readonly port: number;
  readonly address: string;
  readonly token: string;
  weight: number;
  /** In rotation by health (checks, passive ejection). */
  up = false;
  /** Its last check got an answer, even a failing one (a panicking pool may still use it). */
  reachable = false;
  /** Takes requests now: up, or reachable while its pool is in panic (pool-state.ts). */
  routable = false;
  inflight = 0;
  rrCurrent = 0;
  removed = false;
  health: HealthState = INITIAL;
  check: CheckInfo = NO_CHECK;
  readonly streak = { failures: 0 };
  readonly counters = new BackendCounters();
  /** The engine's connection pool for this backend. */
  transport: unknown = null;

  constructor(pool: string, host: string, port: number, weight: number, token: string) {
    this.pool = pool;
    this.host = host;
    this.port = port;
    this.address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    this.key = `${pool}|${this.address}`;
    this.weight = weight;
    this.token = token;
  }
}
