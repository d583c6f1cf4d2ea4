/** `make plan`'s printout: the demand, then per stage the boxes per tier with each figure's source. Pure. */
import type { CapacityPlan, StagePlan } from './plan.ts';

const n = (v: number, digits = 0) =>
  v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function stageLines(s: StagePlan): string[] {
  const lines = [
    `stage ${s.stage} (measured ${n(s.measuredRps)} req/s at the SLO in ${s.row}; bottleneck ${s.bottleneck ?? '—'}): ${s.enough ? 'ENOUGH' : 'NOT ENOUGH'}${s.maxUsers === null ? '' : `, holds about ${n(s.maxUsers)} users`}`,
  ];
  for (const t of s.tiers)
    lines.push(
      `  ${t.tier.padEnd(14)} ${String(t.needed).padStart(7)} box${t.needed === 1 ? ' ' : 'es'}${t.limit === null ? '' : ` (at most ${t.limit})`} = ceil(peak ÷ ${n(t.perBoxRps, 1)} req/s per box)`,
      `  ${''.padEnd(14)} source: ${t.source}`,
    );
  for (const why of s.short) lines.push(`  short: ${why}`);
  return lines;
}

export function planText(p: CapacityPlan, summaryFile: string): string {
  const d = p.demand;
  const w = p.workload;
  return [
    `capacity plan for the notes' load: ${n(w.users)} users, ${n(w.writesPerMonth)} writes and ${n(w.readsPerMonth)} reads a month (${n(d.readsPerWrite)}:1), ${n(w.bytesPerWrite)} bytes per write`,
    `  average ${n(d.averageReadsPerSecond)} reads/s + ${n(d.averageWritesPerSecond)} writes/s (a month = ${n(w.secondsPerMonth)} s); peak factor ${w.peakFactor}: ${n(d.peakRequestsPerSecond)} req/s at the peak`,
    `  new content ${n(d.newContentBytesPerMonth / 1e12, 1)} TB a month`,
    `  measurements: ${summaryFile}`,
    '',
    ...p.stages.flatMap((s) => [...stageLines(s), '']),
    p.firstEnough === null
      ? "no measured stage holds the peak: the next steps are the notes' later ones (federation/sharding for the writer, more cache)"
      : `the lowest stage that holds the peak: stage ${p.firstEnough}; the stages below it stop being enough at the users shown`,
    ...p.notes.map((x) => `note: ${x}`),
    "how: per-box req/s = the mix's mean req/s over the ramp × the box's CPU quota ÷ the CPU the tier used (utilisation extrapolated to 100 %)",
  ].join('\n');
}
