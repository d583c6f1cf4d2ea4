/**
 * The stats model shown by the admin listener: one snapshot per process (counters are per
 * process), merged into one view. Health, weight and last check come from the process that runs
 * the control plane; counters and in-flight counts are summed over the processes that proxy.
 */
import { type CheckInfo, FAILURES } from '../pools/backend.ts';
import type { Pool } from '../pools/pool.ts';
import type { Registry } from '../pools/registry.ts';
import type { Routing } from '../pools/routing.ts';
import type { Failure } from '../retry/classify.ts';

export interface BackendStats {
  readonly key: string;
  readonly address: string;
  weight: number;
  up: boolean;
  check: CheckInfo;
  inflight: number;
  requests: number;
  /** By status class, index 1 = 1xx ... 5 = 5xx. */
  readonly responses: number[];
  readonly failures: Record<Failure, number>;
  retries: number;
  ejections: number;
  stickyHits: number;
}

export interface PoolStats {
  readonly name: string;
  /** How its requests are served: normal, panic, fallback (to `fallback`) or down. */
  readonly routing: Routing;
  readonly fallback: string | null;
  /** Healthy backends (up, weight above 0). */
  readonly healthy: number;
  requests: number;
  noBackend: number;
  retries: number;
  stickyRedispatches: number;
  fallbacks: number;
  panicRequests: number;
  queueFull: number;
  queueTimeouts: number;
  /** Requests waiting now for the pool or one of its backends. */
  queued: number;
  readonly latency: number[];
  latencySum: number;
  readonly backends: BackendStats[];
}

export interface ProcessStats {
  readonly pid: number;
  readonly role: 'single' | 'primary' | 'worker';
  readonly rssBytes: number;
  readonly cpuSeconds: number;
}

export interface StatsSnapshot {
  readonly pools: PoolStats[];
  readonly rejected: Record<string, number>;
  readonly processes: ProcessStats[];
}

export function processStats(role: ProcessStats['role']): ProcessStats {
  const cpu = process.cpuUsage();
  return {
    pid: process.pid,
    role,
    rssBytes: process.memoryUsage.rss(),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

export function takeSnapshot(
  registry: Registry,
  rejected: ReadonlyMap<string, number>,
  role: ProcessStats['role'],
  queued: (pool: Pool) => number = () => 0,
): StatsSnapshot {
  return {
    pools: registry.pools.map((p) => ({
      name: p.name,
      routing: registry.routing(p),
      fallback: p.fallback?.name ?? null,
      healthy: p.healthy,
      requests: p.counters.requests,
      noBackend: p.counters.noBackend,
      retries: p.counters.retries,
      stickyRedispatches: p.counters.stickyRedispatches,
      fallbacks: p.counters.fallbacks,
      panicRequests: p.counters.panicRequests,
      queueFull: p.counters.queueFull,
      queueTimeouts: p.counters.queueTimeouts,
      queued: queued(p),
      latency: [...p.counters.latency],
      latencySum: p.counters.latencySum,
      backends: p.backends.map((b) => ({
        key: b.key,
        address: b.address,
        weight: b.weight,
        up: b.up,
        check: b.check,
        inflight: b.inflight,
        requests: b.counters.requests,
        responses: [...b.counters.responses],
        failures: { ...b.counters.failures },
        retries: b.counters.retries,
        ejections: b.counters.ejections,
        stickyHits: b.counters.stickyHits,
      })),
    })),
    rejected: Object.fromEntries(rejected),
    processes: [processStats(role)],
  };
}

const addInto = (into: number[], from: readonly number[]) => {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
};

/**
 * Merges worker snapshots into the control snapshot: the control process decides which backends
 * exist and their health; worker counters are added to them.
 */
export function mergeSnapshots(
  control: StatsSnapshot,
  workers: readonly StatsSnapshot[],
): StatsSnapshot {
  const merged = structuredClone(control);
  for (const w of workers) {
    for (const wp of w.pools) {
      const p = merged.pools.find((x) => x.name === wp.name);
      if (p === undefined) continue;
      p.requests += wp.requests;
      p.noBackend += wp.noBackend;
      p.retries += wp.retries;
      p.stickyRedispatches += wp.stickyRedispatches;
      p.fallbacks += wp.fallbacks;
      p.panicRequests += wp.panicRequests;
      p.queueFull += wp.queueFull;
      p.queueTimeouts += wp.queueTimeouts;
      p.queued += wp.queued;
      p.latencySum += wp.latencySum;
      addInto(p.latency, wp.latency);
      for (const wb of wp.backends) {
        const b = p.backends.find((x) => x.key === wb.key);
        if (b === undefined) continue;
        b.inflight += wb.inflight;
        b.requests += wb.requests;
        b.retries += wb.retries;
        b.stickyHits += wb.stickyHits;
        addInto(b.responses, wb.responses);
        for (const f of FAILURES) b.failures[f] += wb.failures[f];
      }
    }
    for (const [code, n] of Object.entries(w.rejected))
      merged.rejected[code] = (merged.rejected[code] ?? 0) + n;
    merged.processes.push(...w.processes);
  }
  return merged;
}
