/** Markdown tables of `make bench-db`. Pure. */
import type { QcacheRow } from './qcache.ts';

/** Generator CPU above this share of a core marks a row as limited by the load generator. */
export const GENERATOR_LIMIT = 0.9;

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const pct = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);

export function qcacheTable(rows: readonly QcacheRow[]): string {
  const anchor = (scenario: string) =>
    rows.find((r) => r.scenario === scenario && r.mode === 'neither')?.result.rps ?? 0;
  const lines = [
    '| scenario | mode | req/s | × neither | p50 ms | p99 ms | hit ratio | failures | generator CPU | notes |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const a = anchor(r.scenario);
    const limited = r.result.generatorCpu >= GENERATOR_LIMIT ? ' **generator-limited**' : '';
    lines.push(
      `| ${r.scenario} | ${r.mode} | ${f0(r.result.rps)} | ${a > 0 ? (r.result.rps / a).toFixed(2) : '–'} | ${f1(r.result.p50Ms)} | ${f1(r.result.p99Ms)} | ${pct(r.hitRatio)} | ${r.result.failures} | ${(r.result.generatorCpu * 100).toFixed(0)} %${limited} | ${r.detail} |`,
    );
  }
  return lines.join('\n');
}
