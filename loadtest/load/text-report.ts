/** The terminal report of a load run. Pure. */
import type { LoadResult } from '../run/result.ts';
import type { ModeResult } from './modes.ts';

const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;

export function runLines(r: LoadResult): string[] {
  const head =
    r.mode === 'open'
      ? `offered ${r.offeredRps} req/s (open loop)`
      : `${r.connections} loops (closed loop)`;
  const lines = [
    `${r.scenario}: ${head} for ${r.seconds.toFixed(1)} s over ${r.workers} worker threads`,
    `  served ${r.achievedRps.toFixed(0)} req/s; errors ${(r.errorRate * 100).toFixed(2)} % (${r.errors} failed, ${r.unsent} never sent, ${r.unanswered} unanswered)`,
    `  latency from due time: p50 ${ms(r.latency.p50)}  p90 ${ms(r.latency.p90)}  p99 ${ms(r.latency.p99)}  max ${ms(r.latency.max)}`,
    `  (from send time p99 ${ms(r.service.p99)})`,
  ];
  for (const [label, s] of Object.entries(r.byLabel))
    lines.push(
      `    ${label.padEnd(12)} ${String(s.count).padStart(7)}  p50 ${ms(s.p50).padStart(8)}  p99 ${ms(s.p99).padStart(8)}  errors ${s.errors}`,
    );
  for (const [name, s] of Object.entries(r.series))
    lines.push(
      `    ${name.padEnd(12)} ${String(s.count).padStart(7)}  p50 ${ms(s.p50).padStart(8)}  p99 ${ms(s.p99).padStart(8)}`,
    );
  const counters = Object.entries(r.counters).map(([k, v]) => `${k} ${v}`);
  if (counters.length > 0) lines.push(`  ${counters.join(', ')}`);
  if (r.counters.carts !== undefined)
    lines.push(
      `  cart integrity: ${(((r.counters.itemsLost ?? 0) * 1000) / Math.max(1, r.counters.carts)).toFixed(1)} items lost per 1,000 carts`,
    );
  lines.push(`  generator: ${r.generator.cores.toFixed(2)} cores; ${r.generator.note}`);
  return lines;
}

export function textReport(m: ModeResult): string {
  const lines = m.runs.flatMap(runLines);
  if (m.ramp)
    lines.push(
      '',
      `capacity at the SLO: ${m.ramp.capacityRps.toFixed(0)} req/s${m.ramp.brokeAt ? ` (broke at ${m.ramp.brokeAt.rate} req/s: ${m.ramp.reason})` : ` (${m.ramp.reason})`}`,
    );
  return lines.join('\n');
}
