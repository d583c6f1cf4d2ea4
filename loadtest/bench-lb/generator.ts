/**
 * The throughput rows' load generator, with its own CPU: wrk (Debian's, one thread pinned to the
 * generator's CPU; it drives HAProxy much further than autocannon on one core) or autocannon (in
 * this process, also on that CPU). A row whose generator used more than GENERATOR_BUSY_LIMIT of
 * its core is marked: the generator, not the target, may have been the limit.
 */
import { existsSync } from 'node:fs';
import { runWrk } from '../core/wrk.ts';
import { GENERATOR_BUSY_LIMIT } from '../run/result.ts';
import { runLoad } from './load.ts';
import { LOADGEN_CPU } from './setup.ts';

export const GENERATORS = ['wrk', 'autocannon'] as const;
export type GeneratorName = (typeof GENERATORS)[number];

export const WRK = '/usr/bin/wrk';

export interface Generated {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly failures: number;
  /** The generator's CPU over the run, in cores (it has one core). */
  readonly generatorCores: number;
}

export const generatorLimited = (cores: number): boolean => cores > GENERATOR_BUSY_LIMIT;

export const defaultGenerator = (): GeneratorName => (existsSync(WRK) ? 'wrk' : 'autocannon');

export async function generate(
  name: GeneratorName,
  url: string,
  connections: number,
  seconds: number,
): Promise<Generated> {
  if (name === 'wrk') {
    const r = await runWrk({ url, cpu: LOADGEN_CPU, connections, seconds });
    return {
      rps: r.rps,
      p50: r.p50Ms,
      p99: r.p99Ms,
      requests: r.requests,
      failures: r.failures,
      generatorCores: r.generatorCpuSeconds / seconds,
    };
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runLoad({ url, connections, seconds });
  const used = process.cpuUsage(cpu0);
  return {
    ...r,
    generatorCores: (used.user + used.system) / 1000 / (performance.now() - t0),
  };
}
