/**
 * The compressed day: idle → ramp → peak → ramp down → idle, as open-loop segments of a few
 * seconds each (the rate is constant within a segment, linear over a ramp). Pure.
 */

export const PHASES = ['idle', 'ramp', 'peak', 'ramp-down', 'idle-after'] as const;
export type Phase = (typeof PHASES)[number];

export interface DayShape {
  readonly idleRps: number;
  readonly peakRps: number;
  /** Seconds of each phase, in PHASES order. */
  readonly seconds: Readonly<Record<Phase, number>>;
  readonly segmentS: number;
}

export interface Segment {
  readonly phase: Phase;
  /** From the start of the run. */
  readonly startS: number;
  readonly durationS: number;
  readonly rps: number;
}

export function daySegments(d: DayShape): Segment[] {
  const out: Segment[] = [];
  let t = 0;
  for (const phase of PHASES) {
    const total = d.seconds[phase];
    const n = Math.max(1, Math.round(total / d.segmentS));
    for (let i = 0; i < n; i++) {
      const mid = (i + 0.5) / n;
      const rps =
        phase === 'ramp'
          ? d.idleRps + (d.peakRps - d.idleRps) * mid
          : phase === 'ramp-down'
            ? d.peakRps - (d.peakRps - d.idleRps) * mid
            : phase === 'peak'
              ? d.peakRps
              : d.idleRps;
      out.push({ phase, startS: t, durationS: total / n, rps: Math.max(1, Math.round(rps)) });
      t += total / n;
    }
  }
  return out;
}

export const phaseStartS = (d: DayShape, phase: Phase): number =>
  PHASES.slice(0, PHASES.indexOf(phase)).reduce((s, p) => s + d.seconds[p], 0);
