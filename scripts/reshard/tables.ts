/**
 * The tables a reshard moves and the SQL that selects one logical shard's rows of each (pure).
 * A shard server holds, per user: the user's row (a copy), posts, orders, order items and the
 * idempotency keys of the user's writes. Every row names its logical shard: in its id (users,
 * posts, orders: bits 10..22 of the Snowflake id), its order's id (order items), or the user id
 * at the end of its scope (`posts:user:<id>`, `orders:user:<id>`).
 *
 * Catch-up re-copies the recent rows, found by an index: ids carry their time, so `id >= the id
 * of time T` is a primary-key range; idempotency keys by `created_at`.
 */
import { composeId, SEQUENCE_BITS, SHARD_BITS } from '../../services/shared/shard/ids.ts';

export interface MovedTable {
  readonly name: string;
  /** Primary-key columns, in order. */
  readonly key: readonly string[];
  /** SQL: the row's logical shard. */
  readonly shardOf: string;
  /** How recent rows are found: an id column (time in its high bits) or a DATETIME column. */
  readonly recent: { readonly column: string; readonly kind: 'id' | 'time' };
}

const MASK = (1 << SHARD_BITS) - 1;
const logicalOf = (column: string) => `((${column} >> ${SEQUENCE_BITS}) & ${MASK})`;

/** Parents before children (the copy's order; the cleanup deletes in reverse). */
export const MOVED_TABLES: readonly MovedTable[] = [
  { name: 'users', key: ['id'], shardOf: logicalOf('id'), recent: { column: 'id', kind: 'id' } },
  { name: 'posts', key: ['id'], shardOf: logicalOf('id'), recent: { column: 'id', kind: 'id' } },
  { name: 'orders', key: ['id'], shardOf: logicalOf('id'), recent: { column: 'id', kind: 'id' } },
  {
    name: 'order_items',
    key: ['order_id', 'sku'],
    shardOf: logicalOf('order_id'),
    recent: { column: 'order_id', kind: 'id' },
  },
  {
    name: 'idempotency_keys',
    key: ['scope', 'idem_key'],
    // Keys of other scopes (none on a shard server today) have no logical shard: never moved.
    shardOf: `IF(scope LIKE '%:user:%', ${logicalOf("CAST(SUBSTRING_INDEX(scope, ':', -1) AS UNSIGNED)")}, NULL)`,
    recent: { column: 'created_at', kind: 'time' },
  },
];

type Value = string | number | Buffer | null;

const shardList = (shards: readonly number[]) => shards.map((s) => Number(s)).join(', ');

/** `key > after` for a (possibly composite) key, written so the optimizer sees a range. */
function after(key: readonly string[], values: readonly Value[]): { sql: string; params: Value[] } {
  if (key.length === 1) return { sql: `${key[0]} > ?`, params: [values[0] ?? null] };
  const [a, b] = key;
  return {
    sql: `(${a} > ? OR (${a} = ? AND ${b} > ?))`,
    params: [values[0] ?? null, values[0] ?? null, values[1] ?? null],
  };
}

/**
 * One batch of a table's rows of `shards`, in key order after `from` (undefined: from the start),
 * optionally only rows at or after `sinceMs` (Unix ms): `SELECT *` for copying, or the key only.
 */
export function selectBatch(
  t: MovedTable,
  shards: readonly number[],
  options: {
    readonly from?: readonly Value[];
    readonly sinceMs?: number;
    readonly limit: number;
    readonly keysOnly?: boolean;
  },
): { sql: string; params: Value[] } {
  const where = [`${t.shardOf} IN (${shardList(shards)})`];
  const params: Value[] = [];
  if (options.sinceMs !== undefined) {
    if (t.recent.kind === 'id') {
      where.push(`${t.recent.column} >= ?`);
      params.push(composeId({ ms: options.sinceMs, shard: 0, sequence: 0 }).toString());
    } else {
      where.push(`${t.recent.column} >= FROM_UNIXTIME(?)`);
      params.push(options.sinceMs / 1000);
    }
  }
  if (options.from !== undefined) {
    const a = after(t.key, options.from);
    where.push(a.sql);
    params.push(...a.params);
  }
  const columns = options.keysOnly === true ? t.key.join(', ') : '*';
  return {
    sql: `SELECT ${columns} FROM ${t.name} WHERE ${where.join(' AND ')} ORDER BY ${t.key.join(', ')} LIMIT ${Math.floor(options.limit)}`,
    params,
  };
}

/** An upsert of rows (all with the same columns): re-copying a row overwrites it with the source's. */
export function upsertRows(
  t: MovedTable,
  rows: readonly Record<string, Value>[],
): { sql: string; params: Value[] } {
  const columns = Object.keys(rows[0] ?? {});
  const rest = columns.filter((c) => !t.key.includes(c));
  const update = (rest.length > 0 ? rest : t.key).map((c) => `${c} = VALUES(${c})`).join(', ');
  return {
    sql: `INSERT INTO ${t.name} (${columns.join(', ')}) VALUES ${rows.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')} ON DUPLICATE KEY UPDATE ${update}`,
    params: rows.flatMap((r) => columns.map((c) => r[c] ?? null)),
  };
}

/** Deletes rows by key. */
export function deleteByKeys(
  t: MovedTable,
  keys: readonly Record<string, Value>[],
): { sql: string; params: Value[] } {
  const tuple = `(${t.key.map(() => '?').join(', ')})`;
  return {
    sql: `DELETE FROM ${t.name} WHERE (${t.key.join(', ')}) IN (${keys.map(() => tuple).join(', ')})`,
    params: keys.flatMap((k) => t.key.map((c) => k[c] ?? null)),
  };
}

/** The key values of the last row of a batch (where the next batch starts). */
export const keyOf = (t: MovedTable, row: Record<string, Value>): Value[] =>
  t.key.map((c) => row[c] ?? null);
