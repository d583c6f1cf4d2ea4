/**
 * MariaDB's query cache counters, read from information_schema.GLOBAL_STATUS (no privilege needed,
 * and never cached itself). Pure apart from the SQL text: the rows in, the figures out.
 *
 * MariaDB has no invalidation counter: an entry leaves the cache by a prune (no memory: lowmem
 * prunes), by an invalidation (a write to a table it read) or a flush, so
 * `invalidated ≈ inserts − in cache − lowmem prunes` (flushes are counted as invalidations).
 * A hit does not count in Com_select, so the hit ratio is hits / (hits + Com_select).
 */

export const QCACHE_STATUS_SQL = `SELECT VARIABLE_NAME AS name, VARIABLE_VALUE AS value
  FROM information_schema.GLOBAL_STATUS
  WHERE VARIABLE_NAME LIKE 'QCACHE%' OR VARIABLE_NAME = 'COM_SELECT'`;

export const QCACHE_TYPE_SQL =
  'SELECT @@GLOBAL.query_cache_type AS type, @@GLOBAL.query_cache_size AS size';

export interface QcacheFigures {
  readonly hits: number;
  readonly inserts: number;
  readonly notCached: number;
  readonly lowmemPrunes: number;
  readonly queriesInCache: number;
  readonly freeMemory: number;
  /** Estimated: see the file comment. */
  readonly invalidated: number;
  /** SELECTs the server executed (cache misses and uncacheable ones). */
  readonly selects: number;
  /** hits / (hits + selects); 0 before any SELECT. */
  readonly hitRatio: number;
}

const COUNTERS = {
  QCACHE_HITS: 'hits',
  QCACHE_INSERTS: 'inserts',
  QCACHE_NOT_CACHED: 'notCached',
  QCACHE_LOWMEM_PRUNES: 'lowmemPrunes',
  QCACHE_QUERIES_IN_CACHE: 'queriesInCache',
  QCACHE_FREE_MEMORY: 'freeMemory',
  COM_SELECT: 'selects',
} as const;

type Counter = (typeof COUNTERS)[keyof typeof COUNTERS];

/** From the rows of QCACHE_STATUS_SQL. */
export function qcacheFigures(rows: readonly Readonly<Record<string, unknown>>[]): QcacheFigures {
  const got: Record<Counter, number> = {
    hits: 0,
    inserts: 0,
    notCached: 0,
    lowmemPrunes: 0,
    queriesInCache: 0,
    freeMemory: 0,
    selects: 0,
  };
  for (const row of rows) {
    const key = COUNTERS[String(row.name).toUpperCase() as keyof typeof COUNTERS];
    const value = Number(row.value);
    if (key !== undefined && Number.isFinite(value)) got[key] = value;
  }
  const looked = got.hits + got.selects;
  return {
    ...got,
    invalidated: Math.max(0, got.inserts - got.queriesInCache - got.lowmemPrunes),
    hitRatio: looked === 0 ? 0 : got.hits / looked,
  };
}

/** The change between two samples (counters only; the gauges are taken from `after`). */
export function qcacheDelta(before: QcacheFigures, after: QcacheFigures): QcacheFigures {
  const d = (k: Counter) => Math.max(0, after[k] - before[k]);
  const hits = d('hits');
  const selects = d('selects');
  return {
    hits,
    inserts: d('inserts'),
    notCached: d('notCached'),
    lowmemPrunes: d('lowmemPrunes'),
    queriesInCache: after.queriesInCache,
    freeMemory: after.freeMemory,
    invalidated: Math.max(0, after.invalidated - before.invalidated),
    selects,
    hitRatio: hits + selects === 0 ? 0 : hits / (hits + selects),
  };
}
