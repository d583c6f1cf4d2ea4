/** summary.md: the matrix as a Markdown table, then its ratios side by side per repeat. Pure. */
import { machineScope } from './machine-scope.ts';
import type { Ratio } from './ratios.ts';
import type { BenchRow } from './row.ts';
import type { BenchSummary } from './summary.ts';

const fixed = (v: number, digits = 0) => v.toFixed(digits);
const cell = (text: string) => text.replace(/\|/g, '\\|');

export function rowMarks(r: BenchRow): string[] {
  const marks: string[] = [];
  if (r.error !== undefined) marks.push(`failed: ${r.error}`);
  if (r.generator.limited) marks.push('generator-limited');
  if (r.machineSaturated) marks.push('machine saturated');
  if (r.error === undefined && r.brokeAt === null && r.capacityRps > 0)
    marks.push('SLO never broke: capacity at least this');
  return marks;
}

export function rowsTable(rows: readonly BenchRow[]): string[] {
  const lines = [
    '| run | # | scenario | req/s at SLO | p99 ms | bottleneck (USE) | generator CPU | machine busy | load avg | marks |',
    '| --- | - | -------- | -----------: | -----: | ---------------- | ------------: | -----------: | -------- | ----- |',
  ];
  for (const r of rows)
    lines.push(
      `| ${cell(r.label)} | ${r.repeat} | ${r.scenario} | ${fixed(r.capacityRps)} | ${fixed(r.p99Ms)} | ${cell(r.bottleneck ? r.bottleneck.component : '—')} | ${fixed(r.generator.cores, 2)} cores (thread ${fixed(r.generator.busiestThread * 100)} %) | ${fixed(r.machineBusy * 100)} % | ${r.loadAverage.map((v) => fixed(v, 1)).join(' ')} | ${cell(rowMarks(r).join('; '))} |`,
    );
  return lines;
}

const ratioValue = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)}×`);

export function ratiosTable(ratios: readonly Ratio[]): string[] {
  const repeats = Math.max(1, ...ratios.map((r) => r.values.length));
  const runs = Array.from({ length: repeats }, (_, i) => `run ${i + 1}`);
  return [
    `| ratio | formula | goal | ${runs.join(' | ')} | spread | marks |`,
    `| ----- | ------- | ---- | ${runs.map(() => '---:').join(' | ')} | ---: | ----- |`,
    ...ratios.map(
      (r) =>
        `| ${r.name} | ${r.formula} | ${r.goal ?? '—'} | ${r.values.map(ratioValue).join(' | ')} | ${r.spread === null ? '—' : `${(r.spread * 100).toFixed(0)} %`} | ${r.doubtful ? 'from a generator-limited, machine-saturated or never-broken row' : ''} |`,
    ),
  ];
}

export function summaryMarkdown(s: BenchSummary): string {
  const bottlenecks = s.rows
    .filter((r) => r.bottleneck !== null)
    .map(
      (r) =>
        `- ${r.label} (#${r.repeat}): ${r.bottleneck?.component} — ${r.bottleneck?.evidence.join('; ')}`,
    );
  return [
    `# make bench ${s.run}`,
    '',
    `Scenario ${s.scenario}; SLO p99 ≤ ${s.slo.p99Ms} ms and errors ≤ ${(s.slo.errorRate * 100).toFixed(1)} %; profile ${Object.entries(
      s.profile,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(
        ' ',
      )}; ${s.machine.cores} cores, load average at start ${s.machine.loadAverageAtStart.map((v) => v.toFixed(1)).join(' ')}${machineScope(s)}.`,
    '',
    ...rowsTable(s.rows),
    '',
    '## Ratios',
    '',
    ...ratiosTable(s.ratios),
    '',
    '## Bottleneck evidence',
    '',
    ...bottlenecks,
    '',
  ].join('\n');
}
