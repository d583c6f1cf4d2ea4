/**
 * Moving rows of some logical shards between two shard servers: copy (upsert, so a re-copy
 * overwrites with the source's row and a re-run is harmless) and delete, in batches by key.
 */
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { deleteByKeys, keyOf, MOVED_TABLES, selectBatch, upsertRows } from './tables.ts';

const TIMEOUT_MS = 60_000;

type Value = string | number | Buffer | null;

async function select(conn: Connection, q: { sql: string; params: Value[] }) {
  const [rows] = await conn.query<RowDataPacket[]>({ sql: q.sql, timeout: TIMEOUT_MS }, q.params);
  return rows as Record<string, Value>[];
}

async function run(conn: Connection, q: { sql: string; params: Value[] }) {
  const [result] = await conn.query<ResultSetHeader>({ sql: q.sql, timeout: TIMEOUT_MS }, q.params);
  return result;
}

/**
 * Copies the rows of `shards` from source to target (all of them, or those at or after `sinceMs`);
 * returns how many rows were copied. The target's session skips foreign-key checks: a batch of
 * order items may be read before its order in a catch-up pass, the rows are consistent once done.
 */
export async function copyRows(
  source: Connection,
  target: Connection,
  shards: readonly number[],
  options: { readonly batch: number; readonly sinceMs?: number },
): Promise<number> {
  await target.query('SET SESSION foreign_key_checks = 0');
  let done = false;
  try {
    const copied = await copyTables(source, target, shards, options);
    done = true;
    return copied;
  } finally {
    // Restored on every path; after a failed batch its error is the one to report (the
    // connection may be why it failed), so a failing restore does not replace it.
    const restored = target.query('SET SESSION foreign_key_checks = 1');
    await (done ? restored : restored.catch(() => undefined));
  }
}

async function copyTables(
  source: Connection,
  target: Connection,
  shards: readonly number[],
  options: { readonly batch: number; readonly sinceMs?: number },
): Promise<number> {
  let copied = 0;
  for (const table of MOVED_TABLES) {
    let from: Value[] | undefined;
    for (;;) {
      const rows = await select(
        source,
        selectBatch(table, shards, {
          limit: options.batch,
          ...(from === undefined ? {} : { from }),
          ...(options.sinceMs === undefined ? {} : { sinceMs: options.sinceMs }),
        }),
      );
      const last = rows[rows.length - 1];
      if (last === undefined) break;
      await run(target, upsertRows(table, rows));
      copied += rows.length;
      if (rows.length < options.batch) break;
      from = keyOf(table, last);
    }
  }
  return copied;
}

/** Deletes every row of `shards` from a server, children first; returns how many. */
export async function deleteRows(
  conn: Connection,
  shards: readonly number[],
  batch: number,
): Promise<number> {
  let deleted = 0;
  for (const table of [...MOVED_TABLES].reverse()) {
    for (;;) {
      const keys = await select(conn, selectBatch(table, shards, { limit: batch, keysOnly: true }));
      if (keys.length === 0) break;
      deleted += (await run(conn, deleteByKeys(table, keys))).affectedRows;
    }
  }
  return deleted;
}

/** How many rows of `shards` a server holds, per table. */
export async function countRows(
  conn: Connection,
  shards: readonly number[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of MOVED_TABLES) {
    const [rows] = await conn.query<RowDataPacket[]>({
      sql: `SELECT COUNT(*) AS n FROM ${table.name} WHERE ${table.shardOf} IN (${shards.join(', ')})`,
      timeout: TIMEOUT_MS,
    });
    counts[table.name] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}
