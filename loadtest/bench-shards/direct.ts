/**
 * The write tier alone: the post insert the app makes (on a shard server: NEXTVAL(id_sequence),
 * then the INSERT, in one transaction; unsharded: the INSERT with its AUTO_INCREMENT id), sent
 * straight to every server that holds posts by DIRECT_CONNECTIONS closed loops each, for
 * DIRECT_SECONDS. Without the web tier in front, a small machine can still load the database
 * boxes up to their DB_BOX_CPUS quota, so this shows how the write tier itself scales. It leaves
 * out what the app's write does besides (the shard fence read and the Idempotency-Key claim), so
 * it measures the insert alone. Every statement has a timeout (QUERY_TIMEOUT_MS): a hung server
 * ends its loops instead of stalling the run past DIRECT_SECONDS.
 */
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import type { StackFile } from '../../runner/stack/stack-file.ts';
import { composeId } from '../../services/shared/shard/ids.ts';
import { summarize } from '../core/latency.ts';

export interface DirectFigures {
  readonly connections: number;
  readonly seconds: number;
  readonly writesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

export interface DirectWriter {
  /** The user's id (its logical shard, on a sharded stack, is in it). */
  readonly id: bigint;
  /** The server holding the user's rows: `mysql-primary` or `mysql-shard-N`. */
  readonly server: string;
  readonly logical: number | undefined;
}

const BODY = 'load test post '.repeat(64).slice(0, 1000);
const QUERY_TIMEOUT_MS = 10_000;

/** Opens every connection, or none: on one failure the others are closed and it is thrown. */
async function openAll<T extends { conn: mysql.Connection }>(
  opening: readonly Promise<T>[],
): Promise<T[]> {
  const settled = await Promise.allSettled(opening);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed === undefined) return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
  await Promise.allSettled(
    settled.map((r) => (r.status === 'fulfilled' ? r.value.conn.end() : undefined)),
  );
  throw (failed as PromiseRejectedResult).reason;
}

export async function directWrites(
  stack: StackFile,
  writers: readonly DirectWriter[],
  connectionsPerServer: number,
  seconds: number,
): Promise<DirectFigures> {
  const servers = [...new Set(writers.map((w) => w.server))];
  const password = readFileSync(stack.secrets['mysql-password'], 'utf8').trim();
  const latencies: number[] = [];
  let errors = 0;
  const loops = servers.flatMap((server) => {
    const s = stack.services.find((x) => x.name === server);
    if (s?.ports.mysql === undefined) throw new Error(`stack.json has no ${server}`);
    const mine = writers.filter((w) => w.server === server);
    return Array.from({ length: connectionsPerServer }, async (_, c) => {
      const conn = await mysql.createConnection({
        host: s.host,
        port: s.ports.mysql,
        user: stack.mysql.user,
        password,
        database: stack.mysql.database,
        connectTimeout: 10_000,
        supportBigNumbers: true,
      });
      return { conn, mine, c };
    });
  });
  const opened = await openAll(loops);
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    opened.map(async ({ conn, mine, c }) => {
      let i = c;
      try {
        while (performance.now() < deadline) {
          const w = mine[i++ % mine.length] as DirectWriter;
          const t = performance.now();
          try {
            await conn.query({ sql: 'START TRANSACTION', timeout: QUERY_TIMEOUT_MS });
            let id: bigint | null = null;
            if (w.logical !== undefined) {
              const [rows] = await conn.query<mysql.RowDataPacket[]>({
                sql: 'SELECT NEXTVAL(id_sequence) AS n',
                timeout: QUERY_TIMEOUT_MS,
              });
              const n = BigInt(String(rows[0]?.n ?? 0));
              id = composeId({ ms: Date.now(), shard: w.logical, sequence: Number(n % 1024n) });
            }
            await conn.query(
              {
                sql: 'INSERT INTO posts (id, user_id, body) VALUES (?, ?, ?)',
                timeout: QUERY_TIMEOUT_MS,
              },
              [id, w.id, BODY],
            );
            await conn.query({ sql: 'COMMIT', timeout: QUERY_TIMEOUT_MS });
            latencies.push(performance.now() - t);
          } catch (error) {
            errors++;
            // A timed-out or lost connection is closed: this loop ends rather than spin on it.
            if ((error as { fatal?: unknown }).fatal === true) break;
            await conn.rollback().catch(() => undefined);
          }
        }
      } finally {
        await conn.end().catch(() => undefined);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const summary = summarize(latencies);
  return {
    connections: opened.length,
    seconds: elapsed,
    writesPerSecond: latencies.length / elapsed,
    p50Ms: summary.p50,
    p99Ms: summary.p99,
    errors,
  };
}
