/**
 * The Markdown report, pure: one row per run with p99 at peak and box-seconds against the
 * peak-sized fleet (the anchor, measured in the same run), errors, failed requests while servers
 * left, the generator's CPU (rows where it passed 80 % of a core are marked), the load average;
 * then the scale-out reaction and the goals of issue 10.
 */
import type { RunFigures } from './figures.ts';
import type { DayShape, Phase } from './profile.ts';

export interface RunRow {
  readonly name: string;
  readonly figures: RunFigures;
  readonly lost: Partial<Record<Phase, number>>;
  readonly scaleIn: {
    readonly scaleIns: number;
    readonly requests: number;
    readonly errors: number;
  };
  readonly reaction: {
    readonly rampToRotationS: number | null;
    readonly decisionToRotationS: number | null;
  } | null;
  readonly generatorCpuShare: number;
  readonly loadAverage: readonly [number, number];
}

const GENERATOR_LIMIT = 0.8;
const f0 = (n: number) => n.toFixed(0);
const s1 = (n: number | null) => (n === null ? 'n/a' : `${n.toFixed(1)} s`);

export function reportMarkdown(
  rows: readonly RunRow[],
  context: { shape: DayShape; oneServerRps: number; boxCpus: string; anchor: number },
): string {
  const anchor = rows[context.anchor];
  const ratio = (a: number, b: number | undefined) =>
    b === undefined || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`;
  const lostOf = (r: RunRow) => Object.values(r.lost).reduce((a, b) => a + (b ?? 0), 0);
  /** p99 at peak, or none when over 1 % of the peak's requests never got an answer. */
  const peakP99 = (r: RunRow): number | null => {
    const lost = r.lost.peak ?? 0;
    return lost > 0.01 * (lost + r.figures.peakAnswered) ? null : r.figures.peakP99Ms;
  };
  const p99Text = (r: RunRow) => {
    const v = peakP99(r);
    return v === null
      ? `none: ${r.lost.peak ?? 0} of ${(r.lost.peak ?? 0) + r.figures.peakAnswered} unanswered`
      : `${f0(v)} ms`;
  };
  const p99Ratio = (r: RunRow) => {
    const a = peakP99(r);
    const b = anchor ? peakP99(anchor) : null;
    return a === null || b === null ? 'n/a' : ratio(a, b);
  };
  const lines = [
    '# Daily peak: fixed fleets against the autoscaler',
    '',
    `Offered open loop (read-heavy): idle ${context.shape.idleRps} req/s → ramp → peak ${context.shape.peakRps} req/s → ramp down → idle; phases ${Object.entries(
      context.shape.seconds,
    )
      .map(([p, s]) => `${p} ${s} s`)
      .join(
        ', ',
      )}. One web server (BOX_CPUS=${context.boxCpus}) served ${f0(context.oneServerRps)} req/s in calibration. Latency counts from each request's due time.`,
    '',
    '| run | p99 at peak | vs peak-sized | errors (peak / run) | never sent or answered | web box-seconds | vs peak-sized | max servers | failed during scale-in | generator CPU | load avg (start→end) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const g = r.generatorCpuShare;
      return `| ${r.name} | ${p99Text(r)} | ${p99Ratio(r)} | ${r.figures.peakErrors} / ${r.figures.errors} | ${lostOf(r)} | ${f0(r.figures.boxSeconds)} | ${ratio(r.figures.boxSeconds, anchor?.figures.boxSeconds)} | ${r.figures.maxServers} | ${r.scaleIn.scaleIns === 0 ? '—' : `${r.scaleIn.errors} of ${r.scaleIn.requests} (${r.scaleIn.scaleIns} removals)`} | ${(g * 100).toFixed(0)} %${g > GENERATOR_LIMIT ? ' (generator-limited)' : ''} | ${r.loadAverage.map((l) => l.toFixed(1)).join('→')} |`;
    }),
    '',
  ];
  const scaled = rows.find((r) => r.reaction !== null);
  if (scaled?.reaction) {
    lines.push(
      `Scale-out reaction (AUTOSCALE=on): ramp start → first added server in the LB's rotation ${s1(scaled.reaction.rampToRotationS)}; the autoscaler's first scale-out decision → that server in rotation ${s1(scaled.reaction.decisionToRotationS)} (start, /health/ready, member file, LB).`,
      '',
    );
    if (anchor) {
      const [a, b] = [peakP99(scaled), peakP99(anchor)];
      const p99Ok = a !== null && b !== null && a <= b * 1.1;
      const costOk = scaled.figures.boxSeconds <= anchor.figures.boxSeconds * 0.6;
      lines.push(
        'Goals (issue 10):',
        `- p99 at peak within 10 % of the peak-sized fleet: ${p99Ok ? 'met' : 'NOT met'} (${p99Ratio(scaled)})`,
        `- ≤ 60 % of its box-seconds: ${costOk ? 'met' : 'NOT met'} (${ratio(scaled.figures.boxSeconds, anchor.figures.boxSeconds)})`,
        `- zero failed requests during every scale-in: ${scaled.scaleIn.scaleIns === 0 ? 'no scale-in happened in the run' : scaled.scaleIn.errors === 0 ? 'met' : `NOT met (${scaled.scaleIn.errors})`}`,
        '',
      );
    }
  }
  return lines.join('\n');
}
