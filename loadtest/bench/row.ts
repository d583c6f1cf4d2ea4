/**
 * One row of the benchmark: a measured ramp on one stack reduced to what the summary, the table and
 * the charts show (capacity at the SLO, p99 there, the USE verdict's bottleneck, the generator's
 * CPU, how busy the machine was, CPU per component, latency over time). Pure.
 */
import type { StepResult } from '../core/ramp.ts';
import type { Measurement } from '../load/measure.ts';
import { stepOf } from '../load/modes.ts';
import { mean, rates } from '../sample/series.ts';
import type { PlannedRun } from './matrix.ts';

export interface BenchRow extends PlannedRun {
  readonly capacityRps: number;
  /** p99 (from due time) of the step the capacity comes from. */
  readonly p99Ms: number;
  /** Per request kind at that step: p99 in ms. */
  readonly p99ByLabel: Readonly<Record<string, number>>;
  readonly brokeAt: { readonly rate: number; readonly reason: string } | null;
  readonly bottleneck: {
    readonly component: string;
    readonly kind: string;
    readonly evidence: readonly string[];
    readonly step: string;
  } | null;
  readonly generator: {
    /** The most CPU the generator process used in any step, in cores. */
    readonly cores: number;
    /** The busiest generator thread's share of its core, in any step. */
    readonly busiestThread: number;
    readonly limited: boolean;
  };
  readonly machineBusy: number;
  readonly machineSaturated: boolean;
  /** 1, 5 and 15 minute load averages when the run ended. */
  readonly loadAverage: readonly number[];
  /** CPU per component in cores: the mean over the ramp, and the busiest second. */
  readonly cpu: Readonly<Record<string, { readonly mean: number; readonly peak: number }>>;
  readonly steps: readonly StepResult[];
  /** Each second of load, steps one after another. */
  readonly seconds: readonly { readonly rps: number; readonly p99: number }[];
  readonly error?: string;
}

export function cpuByComponent(m: Measurement): BenchRow['cpu'] {
  const names = new Set(
    m.samples.flatMap((r) =>
      Object.entries(r.values)
        .filter(([, v]) => v.cpuMs !== undefined)
        .map(([k]) => k),
    ),
  );
  const out: Record<string, { mean: number; peak: number }> = {};
  for (const name of names) {
    const perSecond = rates(m.samples, name, 'cpuMs').map((ms) => ms / 1000);
    out[name] = { mean: mean(perSecond), peak: Math.max(0, ...perSecond) };
  }
  return out;
}

export function rowOf(run: PlannedRun, m: Measurement, loadAverage: readonly number[]): BenchRow {
  const steps = m.runs.map(stepOf);
  const capacity = m.ramp?.capacityRps ?? 0;
  const at = m.runs.find((r) => capacity > 0 && stepOf(r).achievedRps === capacity);
  const b = m.verdict.bottleneck;
  return {
    ...run,
    capacityRps: capacity,
    p99Ms: at?.latency.p99 ?? 0,
    p99ByLabel: Object.fromEntries(Object.entries(at?.byLabel ?? {}).map(([k, v]) => [k, v.p99])),
    brokeAt: m.ramp?.brokeAt ? { rate: m.ramp.brokeAt.rate, reason: m.ramp.reason } : null,
    bottleneck: b
      ? { component: b.component, kind: b.kind, evidence: b.evidence, step: b.step }
      : null,
    generator: {
      cores: Math.max(0, ...m.runs.map((r) => r.generator.cores)),
      busiestThread: Math.max(0, ...m.runs.map((r) => r.generator.busiestThread)),
      limited: m.runs.some((r) => !r.generator.trusted),
    },
    machineBusy: m.machineBusy,
    machineSaturated: m.verdict.machineSaturated,
    loadAverage,
    cpu: cpuByComponent(m),
    steps,
    seconds: m.runs.flatMap((r) => r.perSecond.map((s) => ({ rps: s.rps, p99: s.p99 }))),
  };
}

/** A run that could not be measured (the stack did not start, the load failed): kept, marked. */
export function failedRow(
  run: PlannedRun,
  error: string,
  loadAverage: readonly number[],
): BenchRow {
  return {
    ...run,
    capacityRps: 0,
    p99Ms: 0,
    p99ByLabel: {},
    brokeAt: null,
    bottleneck: null,
    generator: { cores: 0, busiestThread: 0, limited: false },
    machineBusy: 0,
    machineSaturated: false,
    loadAverage,
    cpu: {},
    steps: [],
    seconds: [],
    error,
  };
}
