/**
 * A load run's result and how it is assembled from the workers' ticks. Pure.
 */
import type { EngineResult } from '../core/engine.ts';
import { type LatencySummary, type Samples, summarize } from '../core/latency.ts';
import type { ScenarioTotals } from '../scenarios/scenario.ts';

/** Above this share of one core, a generator thread may have delayed its own requests. */
export const GENERATOR_BUSY_LIMIT = 0.8;

export interface SecondPoint {
  readonly t: number;
  readonly rps: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
}

export interface GeneratorCpu {
  /** CPU of the whole generator process, in cores (1 = one core busy all the run). */
  readonly cores: number;
  /** The busiest worker thread's share of its core. */
  readonly busiestThread: number;
  readonly trusted: boolean;
  readonly note: string;
}

export interface LoadResult {
  readonly scenario: string;
  readonly mode: 'open' | 'closed';
  readonly offeredRps: number | null;
  readonly connections: number;
  readonly workers: number;
  readonly seconds: number;
  readonly completed: number;
  readonly errors: number;
  readonly unsent: number;
  readonly unanswered: number;
  readonly achievedRps: number;
  readonly errorRate: number;
  readonly latency: LatencySummary;
  readonly service: LatencySummary;
  readonly byLabel: Readonly<Record<string, LatencySummary & { readonly errors: number }>>;
  readonly statuses: Readonly<Record<string, number>>;
  readonly perSecond: readonly SecondPoint[];
  readonly counters: Readonly<Record<string, number>>;
  readonly series: Readonly<Record<string, LatencySummary>>;
  readonly generator: GeneratorCpu;
}

export function generatorCpu(
  processCpuMs: number,
  threadShares: readonly number[],
  wallMs: number,
): GeneratorCpu {
  const cores = wallMs > 0 ? processCpuMs / wallMs : 0;
  const busiest = Math.max(0, ...threadShares);
  const trusted = busiest <= GENERATOR_BUSY_LIMIT;
  return {
    cores,
    busiestThread: busiest,
    trusted,
    note: trusted
      ? `generator threads at most ${(busiest * 100).toFixed(0)} % of a core: it kept up`
      : `a generator thread used ${(busiest * 100).toFixed(0)} % of a core (> ${GENERATOR_BUSY_LIMIT * 100} %): these numbers cannot be trusted, the generator may be the limit`,
  };
}

export function addCounts(
  into: Record<string, number>,
  from: Readonly<Record<string, number>>,
): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export interface Assembly {
  readonly scenario: string;
  readonly mode: 'open' | 'closed';
  readonly offeredRps: number | null;
  readonly connections: number;
  readonly workers: number;
  readonly wallMs: number;
  readonly latency: Samples;
  readonly service: readonly number[];
  readonly statuses: Readonly<Record<string, number>>;
  readonly errorsByLabel: Readonly<Record<string, number>>;
  readonly perSecond: readonly SecondPoint[];
  readonly engines: readonly EngineResult[];
  readonly totals: readonly ScenarioTotals[];
  readonly generator: GeneratorCpu;
}

export function assemble(a: Assembly): LoadResult {
  const all = a.latency.all();
  const errors = Object.values(a.errorsByLabel).reduce((x, y) => x + y, 0);
  const unsent = a.engines.reduce((x, e) => x + e.unsent, 0);
  const unanswered = a.engines.reduce((x, e) => x + e.unanswered, 0);
  const seconds = a.wallMs / 1000;
  const failed = errors + unsent + unanswered;
  const attempted = all.length + unsent + unanswered;
  const counters: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  for (const t of a.totals) {
    addCounts(counters, t.counters);
    for (const [k, v] of Object.entries(t.series)) series[k] = [...(series[k] ?? []), ...v];
  }
  return {
    scenario: a.scenario,
    mode: a.mode,
    offeredRps: a.offeredRps,
    connections: a.connections,
    workers: a.workers,
    seconds,
    completed: all.length,
    errors,
    unsent,
    unanswered,
    achievedRps: seconds > 0 ? (all.length - errors) / seconds : 0,
    errorRate: attempted > 0 ? failed / attempted : 0,
    latency: summarize(all),
    service: summarize(a.service),
    byLabel: Object.fromEntries(
      a.latency
        .labels()
        .map((l) => [l, { ...summarize(a.latency.of(l)), errors: a.errorsByLabel[l] ?? 0 }]),
    ),
    statuses: a.statuses,
    perSecond: a.perSecond,
    counters,
    series: Object.fromEntries(Object.entries(series).map(([k, v]) => [k, summarize(v)])),
    generator: a.generator,
  };
}
