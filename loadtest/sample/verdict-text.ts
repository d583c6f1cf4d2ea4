/** The bottleneck section of a report, in words. Pure. */
import type { Verdict } from './use.ts';

export function verdictLines(v: Verdict, machineBusy: number, busyScope: string): string[] {
  const lines: string[] = [];
  const b = v.bottleneck;
  if (b === null) lines.push('bottleneck: no component showed load (nothing sampled)');
  else {
    lines.push(`bottleneck (USE): ${b.component} — ${(b.score * 100).toFixed(0)} % of saturation`);
    for (const e of b.evidence) lines.push(`  evidence: ${e}`);
    lines.push(`  next step: ${b.step}`);
  }
  const others = v.ranking.filter((f) => f !== b).slice(0, 4);
  if (others.length > 0)
    lines.push(
      `  next closest: ${others.map((f) => `${f.component} ${(f.score * 100).toFixed(0)} %`).join(', ')}`,
    );
  lines.push(`  machine busy ${(machineBusy * 100).toFixed(0)} % over the run (${busyScope})`);
  for (const n of v.notes) lines.push(`  ${n}`);
  return lines;
}
