/** Markdown tables of `make bench-db`. Pure. */
import type { EngineRow } from './engines.ts';
import type { FailoverRow } from './failover.ts';
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

export function engineTable(rows: readonly EngineRow[]): string {
  const anchor = rows.find((r) => r.engine === 'InnoDB');
  const x = (v: number, a: number | undefined) => (a ? (v / a).toFixed(2) : '–');
  const lines = [
    '| engine | writes/s | × InnoDB | write p99 ms | reads/s | × InnoDB | read p99 ms | on disk | bytes/row | data+index | acked before kill -9 | there after restart | after restart | generator CPU |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const r of rows) {
    const limited = r.generatorCpu >= GENERATOR_LIMIT ? ' **generator-limited**' : '';
    lines.push(
      `| ${r.engine} | ${f0(r.writesPerSecond)} | ${x(r.writesPerSecond, anchor?.writesPerSecond)} | ${f1(r.writeP99Ms)} | ${f0(r.readsPerSecond)} | ${x(r.readsPerSecond, anchor?.readsPerSecond)} | ${f1(r.readP99Ms)} | ${(r.bytesOnDisk / 1048576).toFixed(1)} MiB | ${f0(r.bytesPerRow)} | ${(r.tableBytes / 1048576).toFixed(1)} MiB | ${r.acked} | ${r.survived} (${r.acked === 0 ? '–' : ((r.survived / r.acked) * 100).toFixed(1)} %) | ${r.afterRestart} | ${(r.generatorCpu * 100).toFixed(0)} %${limited} |`,
    );
  }
  return lines.join('\n');
}

export function failoverTable(rows: readonly FailoverRow[]): string {
  const off = rows.filter((r) => r.semisync === 'off').map((r) => r.result.writeP50Ms);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const anchor = median(off);
  const lines = [
    '| DB_SEMISYNC | replicas before the kill | acknowledged (before kill) | lost | duplicated | write p50 ms | × off | write p99 ms | promote ms | kill → writes back ms | refused | generator CPU |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const { semisync, partitionMs, result: r, generatorCpu } of rows) {
    const replicas = partitionMs === 0 ? 'keep up' : `cut off ${partitionMs} ms`;
    const limited = generatorCpu >= GENERATOR_LIMIT ? ' **generator-limited**' : '';
    const refused =
      Object.entries(r.refused)
        .map(([status, n]) => `${n} × ${status === '0' ? 'no answer' : status}`)
        .join(', ') || '0';
    lines.push(
      `| ${semisync} | ${replicas} | ${r.acknowledged} (${r.acknowledgedBeforeKill}) | ${r.lost} | ${r.duplicated} | ${f1(r.writeP50Ms)} | ${anchor > 0 ? (r.writeP50Ms / anchor).toFixed(2) : '–'} | ${f1(r.writeP99Ms)} | ${f0(r.promoteMs)} | ${f0(r.writesBackMs)} | ${refused} | ${(generatorCpu * 100).toFixed(0)} %${limited} |`,
    );
  }
  return lines.join('\n');
}
