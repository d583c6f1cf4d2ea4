/**
 * The benchmark matrix: which stacks `make bench` starts, with which flags and which scenario.
 * Every stack gets the benchmark profile (a CPU quota per box) so the intended bottleneck
 * saturates before the machine does. Pure.
 */
import { ConfigError } from '../../services/shared/config/env.ts';
import type { ScenarioName } from '../scenarios/scenario.ts';
import { type BenchConfig, type Group, MAX_RUNS } from './config.ts';

export interface PlannedRun {
  /** Stable across repeats: `stage-2`, `web-4`, `cache-on-feed`, `reads-replicas`. */
  readonly id: string;
  readonly group: Group;
  readonly label: string;
  readonly scenario: ScenarioName;
  /** Stack flags (the profile included). */
  readonly flags: Readonly<Record<string, string>>;
  readonly repeat: number;
}

export function profileFlags(c: BenchConfig): Record<string, string> {
  return {
    BOX_CPUS: String(c.BENCH_BOX_CPUS),
    DB_BOX_CPUS: String(c.BENCH_DB_BOX_CPUS),
    CACHE_BOX_CPUS: String(c.BENCH_CACHE_BOX_CPUS),
    LB_BOX_CPUS: String(c.BENCH_LB_BOX_CPUS),
  };
}

/** The profile's database quota for the groups whose intended bottleneck is the database. */
const dataBound = (c: BenchConfig) => ({ DB_BOX_CPUS: String(c.BENCH_DATA_DB_BOX_CPUS) });

function groupRuns(c: BenchConfig, group: Group): Omit<PlannedRun, 'repeat'>[] {
  const profile = profileFlags(c);
  switch (group) {
    case 'stages':
      return c.BENCH_STAGES.map((s) => ({
        id: `stage-${s}`,
        group,
        label: `stage ${s}`,
        scenario: c.SCENARIO,
        flags: { ...profile, STAGE: String(s) },
      }));
    case 'replicas':
      // Every request on the web pool (no read/write API split), the database relieved by the
      // cache and replicas, so the web boxes are what is scaled.
      return c.BENCH_WEB_REPLICAS.map((n) => ({
        id: `web-${n}`,
        group,
        label: `${n} web box${n === 1 ? '' : 'es'} at BOX_CPUS=${profile.BOX_CPUS}`,
        scenario: c.SCENARIO,
        flags: {
          ...profile,
          STAGE: '4',
          READ_API_REPLICAS: '0',
          WRITE_API_REPLICAS: '0',
          WEB_REPLICAS: String(n),
        },
      }));
    case 'cache':
      // The database is what a cache relieves: it gets the small data-tier quota and serves every
      // read itself (READ_FROM=primary), so without the cache it saturates first.
      return (['post-reads', 'feed-reads'] as const).flatMap((scenario) =>
        (['off', 'memcached'] as const).map((cache) => ({
          id: `cache-${cache === 'off' ? 'off' : 'on'}-${scenario.replace('-reads', '')}`,
          group,
          label: `${scenario.replace('-reads', '')} reads, CACHE=${cache}`,
          scenario,
          flags: { ...profile, ...dataBound(c), STAGE: '4', CACHE: cache, READ_FROM: 'primary' },
        })),
      );
    case 'reads':
      // The cache off, so that reads reach the database and where they go shows; each database
      // box gets the small data-tier quota, so the primary alone saturates first.
      return (['primary', 'replicas'] as const).map((from) => ({
        id: `reads-${from}`,
        group,
        label: `READ_FROM=${from}, CACHE=off`,
        scenario: c.SCENARIO,
        flags: { ...profile, ...dataBound(c), STAGE: '4', CACHE: 'off', READ_FROM: from },
      }));
  }
}

export function planMatrix(c: BenchConfig): PlannedRun[] {
  const once = c.BENCH_ONLY.flatMap((g) => groupRuns(c, g));
  const runs = Array.from({ length: c.REPEAT }, (_, r) =>
    once.map((run) => ({ ...run, repeat: r + 1 })),
  ).flat();
  if (runs.length > MAX_RUNS)
    throw new ConfigError([
      `the matrix has ${runs.length} runs (REPEAT × BENCH_ONLY × stages/replicas): at most ${MAX_RUNS}`,
    ]);
  return runs;
}
