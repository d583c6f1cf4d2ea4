/**
 * One run's figures from what was recorded, pure: p99 (from the due time: coordinated omission
 * corrected) and errors over the peak phase and the whole run, box-seconds of the web tier (the
 * cost: web servers running × seconds), and a per-second series (offered rate, p99, servers in
 * the LB's rotation, servers running) for the chart.
 */
import { percentile } from '../core/latency.ts';
import type { Phase } from './profile.ts';

export interface RequestRecord {
  /** Seconds from the run's start at which it was due. */
  readonly dueS: number;
  readonly latencyMs: number;
  readonly ok: boolean;
  readonly phase: Phase;
}

export interface FleetSample {
  readonly atS: number;
  /** Web servers in the LB's rotation (up). */
  readonly inRotation: number;
  /** Web server processes running (their boxes cost, ready or not). */
  readonly running: number;
}

export interface SecondPoint {
  readonly s: number;
  readonly rps: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly inRotation: number;
  readonly running: number;
}

export interface RunFigures {
  readonly requests: number;
  /** Requests due at peak that were answered (a p99 over few of them says little). */
  readonly peakAnswered: number;
  readonly errors: number;
  readonly peakP99Ms: number;
  readonly peakErrors: number;
  readonly p99Ms: number;
  readonly boxSeconds: number;
  readonly maxServers: number;
  readonly series: readonly SecondPoint[];
}

const p99 = (xs: number[]) => percentile(Float64Array.from(xs).sort(), 99);

export function runFigures(
  records: readonly RequestRecord[],
  fleet: readonly FleetSample[],
): RunFigures {
  const peak = records.filter((r) => r.phase === 'peak');
  const seconds = new Map<number, RequestRecord[]>();
  for (const r of records) {
    const s = Math.floor(r.dueS);
    const list = seconds.get(s);
    if (list === undefined) seconds.set(s, [r]);
    else list.push(r);
  }
  let boxSeconds = 0;
  for (let i = 1; i < fleet.length; i++) {
    const a = fleet[i - 1];
    const b = fleet[i];
    if (a && b) boxSeconds += a.running * (b.atS - a.atS);
  }
  const last = Math.max(0, ...records.map((r) => Math.floor(r.dueS)));
  const series: SecondPoint[] = [];
  for (let s = 0; s <= last; s++) {
    const rs = seconds.get(s) ?? [];
    const f = [...fleet].reverse().find((x) => x.atS <= s + 1) ?? fleet[0];
    series.push({
      s,
      rps: rs.length,
      p99Ms: rs.length > 0 ? p99(rs.map((r) => r.latencyMs)) : 0,
      errors: rs.filter((r) => !r.ok).length,
      inRotation: f?.inRotation ?? 0,
      running: f?.running ?? 0,
    });
  }
  return {
    requests: records.length,
    peakAnswered: peak.length,
    errors: records.filter((r) => !r.ok).length,
    peakP99Ms: p99(peak.map((r) => r.latencyMs)),
    peakErrors: peak.filter((r) => !r.ok).length,
    p99Ms: p99(records.map((r) => r.latencyMs)),
    boxSeconds,
    maxServers: Math.max(0, ...fleet.map((f) => f.running)),
    series,
  };
}

/** Seconds from `fromS` until the servers in rotation first exceed `baseline` (null: never). */
export function firstGrowthAfter(
  fleet: readonly FleetSample[],
  fromS: number,
  baseline: number,
): number | null {
  const hit = fleet.find((f) => f.atS >= fromS && f.inRotation > baseline);
  return hit === undefined ? null : hit.atS - fromS;
}

/**
 * Failed requests due while servers were leaving: from 2 s before each drop of the running count
 * (the removal from the LB comes first) until 8 s after (the web server's drain).
 */
export function errorsDuringScaleIn(
  records: readonly RequestRecord[],
  fleet: readonly FleetSample[],
): { scaleIns: number; requests: number; errors: number } {
  const windows: [number, number][] = [];
  for (let i = 1; i < fleet.length; i++) {
    const a = fleet[i - 1];
    const b = fleet[i];
    if (a && b && b.running < a.running) windows.push([a.atS - 2, b.atS + 8]);
  }
  const inside = records.filter((r) => windows.some(([s, e]) => r.dueS >= s && r.dueS <= e));
  return {
    scaleIns: windows.length,
    requests: inside.length,
    errors: inside.filter((r) => !r.ok).length,
  };
}
