/** A drill's result as text (pure): figures, the checks (expected next to measured), the verdict. */
import type { DrillResult } from './run-drill.ts';

const codes = (byCode: Record<string, number>): string =>
  Object.entries(byCode)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${n}× ${code}`)
    .join(', ') || 'none';

export function formatResult(r: DrillResult): string {
  const lines = [
    `── ${r.name}: ${r.skipped ? 'SKIPPED' : r.pass ? 'PASS' : 'FAIL'}`,
    `   row:   ${r.row}`,
  ];
  if (r.skipped) return [...lines, `   skipped: ${r.skipped}`].join('\n');
  lines.push(`   fault: ${r.fault}`);
  if (r.error) lines.push(`   ERROR: ${r.error}`);
  const f = r.figures;
  if (f) {
    lines.push(
      `   requests after the fault: ${f.requests}, failed ${f.failed}`,
      `   errors by status and code: ${codes(f.byCode)}`,
      `   before the fault: ${codes(f.baselineByCode)}`,
      `   detect ${f.detectedAfterMs} ms · recover ${f.recovered ? `${f.recoveredAfterMs} ms after the heal` : 'NOT RECOVERED'} · p99 before ${f.p99BeforeMs} ms, during ${f.p99DuringMs} ms (affected ${f.p99AffectedMs} ms)`,
    );
  }
  const observed = Object.entries(r.observed ?? {});
  if (observed.length > 0)
    lines.push(`   observed: ${observed.map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
  for (const c of r.checks)
    lines.push(`   ${c.pass ? 'ok  ' : 'FAIL'} expected ${c.expect} — measured ${c.measured}`);
  const l = r.ledger;
  if (l && !l.ok)
    for (const p of [...l.lost, ...l.duplicated, ...l.wrongId, ...l.unreadable, ...l.thumbnails])
      lines.push(`   LEDGER: ${p}`);
  for (const p of l?.edgeOnly ?? []) lines.push(`   EDGE (not a loss): ${p}`);
  return lines.join('\n');
}

/** One Markdown table row per drill: name, fault, expected, measured, verdict. */
export function markdownTable(results: readonly DrillResult[]): string {
  const rows = results.map((r) => {
    const expected = r.checks.map((c) => c.expect).join('; ') || '-';
    const measured =
      r.skipped ?? (r.error ? `error: ${r.error}` : r.checks.map((c) => c.measured).join('; '));
    const verdict = r.skipped ? 'skipped' : r.pass ? 'pass' : 'FAIL';
    return `| ${r.name} | ${r.fault} | ${expected} | ${measured} | ${verdict} |`;
  });
  return [
    '| drill | fault | expected | measured | |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
