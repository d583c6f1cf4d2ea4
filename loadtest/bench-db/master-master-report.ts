/** Markdown tables of `make bench-db ARGS=master-master`. Pure. */
import type { KillRow, ThroughputRow, Topology } from './master-master-bench.ts';
import { GENERATOR_LIMIT } from './report.ts';

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const f1 = (x: number) => x.toFixed(1);
const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const cpu = (c: number) =>
  `${(c * 100).toFixed(0)} %${c >= GENERATOR_LIMIT ? ' **generator-limited**' : ''}`;

/** One line per topology: the median round (by writes/s), × the single primary's median. */
export function throughputTable(rows: readonly ThroughputRow[]): string {
  const of = (t: Topology) => rows.filter((r) => r.topology === t);
  const anchor = median(of('primary-replicas').map((r) => r.result.writesPerSecond));
  const lines = [
    '| DB_TOPOLOGY | rounds | writes/s (median) | × one primary | each round | write p50 ms | write p99 ms | acknowledged by | MariaDB CPU ms per write | refused | generator CPU | load average | quota enforced |',
    '|---|---:|---:|---:|---|---:|---:|---|---|---:|---:|---:|---|',
  ];
  for (const topology of ['primary-replicas', 'master-master'] as const) {
    const mine = of(topology);
    if (mine.length === 0) continue;
    const wps = median(mine.map((r) => r.result.writesPerSecond));
    const mid = mine.find((r) => r.result.writesPerSecond === wps) ?? mine[0];
    if (mid === undefined) continue;
    const by = Object.entries(mid.result.byMaster)
      .map(([m, n]) => `${m} ${n}`)
      .join(', ');
    const dbCpu = Object.entries(mid.dbCpuMsPerWrite)
      .map(([server, ms]) => `${server.replace(/^mysql-/, '')} ${ms.toFixed(2)}`)
      .join(', ');
    lines.push(
      `| ${topology} | ${mine.length} | ${f0(wps)} | ${anchor > 0 ? (wps / anchor).toFixed(2) : '–'} | ${mine.map((r) => f0(r.result.writesPerSecond)).join(' / ')} | ${f1(mid.result.p50Ms)} | ${f1(mid.result.p99Ms)} | ${by} | ${dbCpu} | ${mid.result.refused} | ${cpu(mid.generatorCpu)} | ${mid.loadAverage.toFixed(1)} | ${mid.quotaEnforced ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}

export function killTable(rows: readonly KillRow[]): string {
  const lines = [
    '| round | DB_TOPOLOGY | link before the kill | acknowledged (before kill) | by the killed server | lost | duplicated | kill → writes back ms | refused | generator CPU | load average |',
    '|---:|---|---|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const r of rows) {
    const refused =
      Object.entries(r.refused)
        .map(([status, n]) => `${n} × ${status === '0' ? 'no answer' : status}`)
        .join(', ') || '0';
    const link = r.partitionMs === 0 ? 'intact' : `cut ${r.partitionMs} ms`;
    const how = r.topology === 'master-master' ? 'master-master' : 'primary-replicas + promote';
    lines.push(
      `| ${r.round} | ${how} | ${link} | ${r.acknowledged} (${r.acknowledgedBeforeKill}) | ${r.byKilled} | ${r.lost} | ${r.duplicated} | ${f0(r.writesBackMs)} | ${refused} | ${cpu(r.generatorCpu)} | ${r.loadAverage.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}
