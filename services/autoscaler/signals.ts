/**
 * The live signals the policy tracks, from two snapshots of the LB's /stats.json taken an interval
 * apart. Pure: per pool, the servers in rotation, requests in flight per server, requests per
 * second per server (from the counters' difference) and the mean latency over the interval.
 *
 * In flight is the larger of two readings: the requests in flight (and queued) at the instant of the
 * snapshot, which sees a backlog building, and the mean over the interval by Little's law (seconds
 * of latency completed per second of the interval), which one sample taken in a lull cannot hide.
 */

/** The part of the LB's /stats.json the autoscaler reads (services/lb/admin/stats.ts). */
export interface LbPoolSnapshot {
  readonly name: string;
  readonly healthy: number;
  readonly requests: number;
  readonly queued: number;
  readonly latencySum: number;
  readonly backends: readonly {
    readonly up: boolean;
    readonly inflight: number;
    /** `host:port`, where the `cpu` signal reads the server's own /metrics. */
    readonly address?: string;
  }[];
}

export interface PoolSignals {
  readonly pool: string;
  /** Servers in rotation now. */
  readonly current: number;
  readonly inflightPerServer: number;
  readonly rpsPerServer: number;
  /** Mean seconds per request over the interval (null without requests). */
  readonly meanLatencyS: number | null;
}

export function poolSignals(
  before: LbPoolSnapshot | undefined,
  now: LbPoolSnapshot,
  intervalMs: number,
): PoolSignals {
  const current = now.backends.filter((b) => b.up).length;
  const servers = Math.max(1, current);
  // Requests waiting for a backend are load the fleet has not taken yet: count them too.
  const inflight = now.backends.reduce((sum, b) => sum + b.inflight, 0) + now.queued;
  const requests = before === undefined ? 0 : Math.max(0, now.requests - before.requests);
  const latency = before === undefined ? 0 : Math.max(0, now.latencySum - before.latencySum);
  const meanInflight = intervalMs > 0 ? latency / (intervalMs / 1000) : 0;
  return {
    pool: now.name,
    current,
    inflightPerServer: Math.max(inflight, meanInflight) / servers,
    rpsPerServer: intervalMs > 0 ? requests / (intervalMs / 1000) / servers : 0,
    meanLatencyS: requests > 0 ? latency / requests : null,
  };
}

/** The value of the chosen metric (cpu is given per server by the box readings). */
export function metricOf(
  metric: 'inflight' | 'rps' | 'cpu',
  s: PoolSignals,
  cpuPerServer: number,
): number {
  if (metric === 'inflight') return s.inflightPerServer;
  if (metric === 'rps') return s.rpsPerServer;
  return cpuPerServer;
}
