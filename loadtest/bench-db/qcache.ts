/**
 * The query cache table: MariaDB's query cache vs memcached cache-aside vs neither, on the same
 * seeded posts and the same loads:
 *   hot reads     – reads only, Zipf-skewed ids (the query cache's best case: unchanged rows);
 *   read-heavy    – the same reads with 1 % writes (every write to posts drops all its cached
 *                   results on every server: the query cache's invalidation granularity is a table);
 *   many keys     – reads only, uniform over every post (more distinct results than fit: prunes).
 * Two stacks run side by side (two replicas serving reads each): A with DB_QUERY_CACHE=on, where
 * `neither` is the same stack with the cache switched off at run time (query_cache_size = 0), and B with CACHE=memcached. The modes are interleaved round by round so
 * the machine's noise falls on all of them alike; each row is the median round. Ratios are against
 * `neither`.
 */
import { QUERY_CACHE_BYTES } from '../../services/shared/topology/mariadb-options.ts';
import { type MixResult, runMix, uniform, zipf } from './mix.ts';
import { type DbBench, type SeedSize, startDbBench } from './stack.ts';

export interface QcacheRow {
  readonly mode: string;
  readonly scenario: string;
  readonly result: MixResult;
  /** The cache's hit ratio during the run (undefined: no cache). */
  readonly hitRatio?: number;
  readonly detail: string;
}

export interface QcacheSettings {
  readonly seconds: number;
  readonly connections: number;
  readonly rounds: number;
  readonly size: SeedSize;
}

const BASE_FLAGS = {
  STAGE: '4',
  WEB_REPLICAS: '1',
  READ_API_REPLICAS: '0',
  WRITE_API_REPLICAS: '0',
  DB_REPLICAS: '2',
  READ_FROM: 'replicas',
};

type Mode = 'neither' | 'query cache' | 'memcached';
const MODES: readonly Mode[] = ['neither', 'query cache', 'memcached'];

interface Scenario {
  readonly name: string;
  readonly writeShare: number;
  readonly pick: (posts: number) => () => number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'hot reads', writeShare: 0, pick: (n) => zipf(n, 1.1) },
  { name: 'read-heavy (1 % writes)', writeShare: 0.01, pick: (n) => zipf(n, 1.1) },
  { name: 'many keys (uniform)', writeShare: 0, pick: (n) => uniform(n) },
];

const REPLICAS = ['mysql-replica-1', 'mysql-replica-2'];

/**
 * On or off for every session at once: query_cache_type is copied into each connection when it
 * opens (the app's pooled connections would keep the old value), the size is global; 0 disables
 * the cache and giving the size back re-enables it, empty.
 */
async function setQueryCache(b: DbBench, on: boolean): Promise<void> {
  for (const r of REPLICAS)
    await b.sql(r, 'SET GLOBAL query_cache_size = ?', [on ? QUERY_CACHE_BYTES : 0]);
}

async function reading(b: DbBench, mode: Mode) {
  if (mode === 'memcached') return { ...(await b.memcached()), q: undefined };
  return { hits: 0, misses: 0, q: await b.qcache() };
}

function describe(
  mode: Mode,
  before: Awaited<ReturnType<typeof reading>>,
  after: Awaited<ReturnType<typeof reading>>,
): { hitRatio?: number; detail: string } {
  if (mode === 'memcached') {
    const hits = after.hits - before.hits;
    const looked = hits + after.misses - before.misses;
    return { hitRatio: looked === 0 ? 0 : hits / looked, detail: `${hits} hits / ${looked} gets` };
  }
  if (mode === 'neither') return { detail: '' };
  let hits = 0;
  let selects = 0;
  let prunes = 0;
  let invalidated = 0;
  for (const server of REPLICAS) {
    const a = after.q?.get(server);
    const z = before.q?.get(server);
    if (a === undefined || z === undefined) continue;
    hits += a.hits - z.hits;
    selects += a.selects - z.selects;
    prunes += a.lowmemPrunes - z.lowmemPrunes;
    invalidated += Math.max(0, a.invalidated - z.invalidated);
  }
  return {
    hitRatio: hits + selects === 0 ? 0 : hits / (hits + selects),
    detail: `${hits} hits, ${prunes} lowmem prunes, ~${invalidated} invalidated`,
  };
}

const median = <T>(xs: readonly T[], key: (x: T) => number): T => {
  const sorted = [...xs].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
};

export async function benchQcache(
  s: QcacheSettings,
  say: (line: string) => void,
): Promise<QcacheRow[]> {
  say(`query cache: starting two stacks and seeding ${s.size.posts} posts in each`);
  const started = await Promise.allSettled([
    startDbBench({ ...BASE_FLAGS, CACHE: 'off', DB_QUERY_CACHE: 'on' }, s.size),
    startDbBench({ ...BASE_FLAGS, CACHE: 'memcached', DB_QUERY_CACHE: 'off' }, s.size),
  ]);
  const [a, b] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  if (a === undefined || b === undefined) {
    // One failed: stop the other before reporting the failure.
    await Promise.allSettled([a?.stop(), b?.stop()]);
    const failed = started.find((r) => r.status === 'rejected');
    throw failed?.status === 'rejected' ? failed.reason : new Error('a stack did not start');
  }
  try {
    const cookies = { a: await a.writer('bench_writer_a'), b: await b.writer('bench_writer_b') };
    const runs = new Map<string, QcacheRow[]>();
    for (let round = 1; round <= s.rounds; round++) {
      for (const sc of SCENARIOS) {
        for (const mode of MODES) {
          const stack = mode === 'memcached' ? b : a;
          if (mode !== 'memcached') await setQueryCache(a, mode === 'query cache');
          const mix = {
            origin: stack.origin,
            connections: s.connections,
            writeShare: sc.writeShare,
            pick: sc.pick(s.size.posts),
            cookie: mode === 'memcached' ? cookies.b : cookies.a,
          };
          await runMix({ ...mix, seconds: Math.min(3, s.seconds) }); // warm-up
          const before = await reading(stack, mode);
          const result = await runMix({ ...mix, seconds: s.seconds });
          const after = await reading(stack, mode);
          const row = { mode, scenario: sc.name, result, ...describe(mode, before, after) };
          say(
            `  round ${round}: ${sc.name} / ${mode}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(1)} ms`,
          );
          const key = `${sc.name}\u0000${mode}`;
          runs.set(key, [...(runs.get(key) ?? []), row]);
        }
      }
    }
    return SCENARIOS.flatMap((sc) =>
      MODES.map((mode) => median(runs.get(`${sc.name}\u0000${mode}`) ?? [], (r) => r.result.rps)),
    );
  } finally {
    await Promise.allSettled([a.stop(), b.stop()]);
  }
}
