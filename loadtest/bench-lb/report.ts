/** The benchmark's table (Markdown, so it can go straight into services/lb/README.md). */
import { generatorLimited } from './generator.ts';

export interface Row {
  readonly name: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicrosPerRequest: number;
  readonly rssMiB: number;
  readonly failures: number;
  /** The load generator's CPU during the row, in cores, and which generator it was. */
  readonly generatorCores?: number;
  readonly generator?: string;
  /** This row is HAProxy's for the given scheme. */
  readonly baseline?: 'http' | 'https';
  /** Compare this row with HAProxy's row of the given scheme. */
  readonly compareTo?: 'http' | 'https';
}

const marks = (r: Row): string =>
  r.generatorCores !== undefined && generatorLimited(r.generatorCores)
    ? 'generator-limited: the load generator, not the target, may have been the limit'
    : '';

export function formatTable(rows: readonly Row[]): string {
  const base = (scheme: 'http' | 'https') => rows.find((r) => r.baseline === scheme)?.rps;
  const head =
    '| setup | req/s | p50 ms | p99 ms | CPU µs/req | RSS MiB | × HAProxy | failures | generator CPU | marks |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|';
  const body = rows.map((r) => {
    const b = r.compareTo === undefined ? undefined : base(r.compareTo);
    const ratio = r.baseline !== undefined ? '1.00' : b === undefined ? '' : (r.rps / b).toFixed(2);
    return `| ${r.name} | ${Math.round(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuMicrosPerRequest ? r.cpuMicrosPerRequest.toFixed(0) : ''} | ${r.rssMiB ? r.rssMiB.toFixed(0) : ''} | ${ratio} | ${r.failures} | ${r.generatorCores === undefined ? '' : `${r.generator ?? ''} ${(r.generatorCores * 100).toFixed(0)} %`} | ${marks(r)} |`;
  });
  return [head, ...body].join('\n');
}
