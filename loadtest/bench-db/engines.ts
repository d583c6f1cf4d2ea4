/**
 * The engine table: the posts table's shape on each storage engine of a private MariaDB server
 * (mariadb.ts), measured three ways:
 *   locks  – writers (half INSERT, half UPDATE of a random post; ARCHIVE: INSERT only, it refuses
 *            UPDATE) and readers (a user's newest 20 posts) at once: throughput and p99 of each;
 *            table locks make writers and readers queue behind each other, row locks do not;
 *   size   – the table's files on disk after the load, per row, and what MariaDB says it holds
 *            (MEMORY keeps it all in RAM; its indexes are HASH by default, so the per-user
 *            newest-first read cannot use one and scans the table);
 *   crash  – writers inserting with autocommit, the server killed with SIGKILL mid-writes and
 *            started again: how many acknowledged rows are there after the restart.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { postBody, prng } from '../../scripts/seed/data.ts';
import { POSTS_ENGINES, type PostsEngine } from '../../services/shared/config/flags.ts';
import { type PrivateMariadb, startPrivateMariadb } from './mariadb.ts';

export interface EngineRow {
  readonly engine: PostsEngine;
  readonly writesPerSecond: number;
  readonly writeP99Ms: number;
  readonly readsPerSecond: number;
  readonly readP99Ms: number;
  readonly bytesOnDisk: number;
  readonly bytesPerRow: number;
  /** DATA_LENGTH + INDEX_LENGTH (for MEMORY: what it holds in RAM). */
  readonly tableBytes: number;
  readonly acked: number;
  readonly survived: number;
  readonly afterRestart: string;
  readonly generatorCpu: number;
}

export interface EngineSettings {
  readonly seconds: number;
  readonly rows: number;
  readonly portBase: number;
}

const WRITERS = 4;
const READERS = 4;
const USERS = 200;
// Word text like the seeded posts (a run of one letter would flatter ARCHIVE's compression).
const random = prng(7);
const BODIES = Array.from({ length: 64 }, () => postBody(random));
const body = (i: number) => BODIES[i % BODIES.length] ?? '';

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? 0;
};

function schema(table: string, engine: PostsEngine): string {
  const keys = engine === 'ARCHIVE' ? '' : ', KEY idx_user_created (user_id, created_at)';
  return `CREATE TABLE ${table} (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NOT NULL,
    body VARCHAR(1024) NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)${keys}
  ) ENGINE=${engine} DEFAULT CHARSET=utf8mb4`;
}

async function create(db: PrivateMariadb, table: string, engine: PostsEngine, rows: number) {
  const c = await db.connect('bench');
  try {
    // MEMORY's cap is fixed when the table is made, from this session's max_heap_table_size.
    await c.query('SET SESSION max_heap_table_size = 1073741824');
    await c.query(schema(table, engine));
    for (let done = 0; done < rows; done += 500) {
      const n = Math.min(500, rows - done);
      const values = Array.from({ length: n }, (_, i) => [
        1 + ((done + i) % USERS),
        body(done + i),
      ]);
      await c.query(`INSERT INTO ${table} (user_id, body) VALUES ?`, [values]);
    }
  } finally {
    await c.end();
  }
}

async function locks(db: PrivateMariadb, table: string, engine: PostsEngine, s: EngineSettings) {
  const conns = await Promise.all(
    Array.from({ length: WRITERS + READERS }, () => db.connect('bench')),
  );
  const writes: number[] = [];
  const reads: number[] = [];
  const end = performance.now() + s.seconds * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const timed = async (into: number[], run: () => Promise<unknown>) => {
    const t = performance.now();
    await run();
    into.push(performance.now() - t);
  };
  const writer = async (c: Connection, k: number) => {
    for (let i = 0; performance.now() < end; i++) {
      const update = engine !== 'ARCHIVE' && (i + k) % 2 === 1;
      await timed(writes, () =>
        update
          ? c.query(`UPDATE ${table} SET body = ? WHERE id = ?`, [
              body(i + 1),
              1 + Math.floor(Math.random() * s.rows),
            ])
          : c.query(`INSERT INTO ${table} (user_id, body) VALUES (?, ?)`, [
              1 + (i % USERS),
              body(i),
            ]),
      );
    }
  };
  const reader = async (c: Connection) => {
    while (performance.now() < end)
      await timed(reads, () =>
        c.query(
          `SELECT id, body FROM ${table} WHERE user_id = ? ORDER BY created_at DESC LIMIT 20`,
          [1 + Math.floor(Math.random() * USERS)],
        ),
      );
  };
  await Promise.all(conns.map((c, k) => (k < WRITERS ? writer(c, k) : reader(c))));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(conns.map((c) => c.end()));
  return {
    writesPerSecond: writes.length / wall,
    writeP99Ms: p99(writes),
    readsPerSecond: reads.length / wall,
    readP99Ms: p99(reads),
    generatorCpu: (cpu.user + cpu.system) / 1e6 / wall,
  };
}

function filesOf(db: PrivateMariadb, table: string): number {
  const dir = join(db.dataDir, 'bench');
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${table}.`) || f.startsWith(`${table}#`))
    .reduce((sum, f) => sum + statSync(join(dir, f)).blocks * 512, 0);
}

async function crash(db: PrivateMariadb, table: string, engine: PostsEngine) {
  await create(db, table, engine, 0);
  const conns = await Promise.all(Array.from({ length: WRITERS }, () => db.connect('bench')));
  const acked: number[] = [];
  let stop = false;
  const writer = async (c: Connection) => {
    while (!stop) {
      try {
        const [r] = await c.query<ResultSetHeader>(
          `INSERT INTO ${table} (user_id, body) VALUES (1, ?)`,
          [body(acked.length)],
        );
        acked.push(r.insertId);
      } catch {
        return; // the server is gone
      }
    }
  };
  const running = conns.map(writer);
  await new Promise((r) => setTimeout(r, 2000));
  await db.kill9();
  stop = true;
  await Promise.all(running);
  await Promise.allSettled(conns.map((c) => c.end()));
  await db.start();
  const c = await db.connect('bench');
  try {
    let afterRestart = 'ok';
    let present = new Set<number>();
    try {
      const [rows] = await c.query<RowDataPacket[]>(`SELECT id FROM ${table}`);
      present = new Set(rows.map((r) => Number(r.id)));
    } catch (error) {
      afterRestart = `read failed: ${(error as Error).message}`;
    }
    const [check] = await c.query<RowDataPacket[]>(`CHECK TABLE ${table}`);
    const notes = check.map((r) => String(r.Msg_text)).filter((m) => m !== 'OK');
    if (notes.length > 0) afterRestart = `${afterRestart}; CHECK TABLE: ${notes.join(' / ')}`;
    return {
      acked: acked.length,
      survived: acked.filter((id) => present.has(id)).length,
      afterRestart,
    };
  } finally {
    await c.end();
  }
}

export async function benchEngines(
  s: EngineSettings,
  say: (line: string) => void,
): Promise<EngineRow[]> {
  const db = await startPrivateMariadb(s.portBase);
  const out: EngineRow[] = [];
  try {
    const c = await db.connect();
    await c.query('CREATE DATABASE bench');
    await c.end();
    for (const engine of POSTS_ENGINES) {
      const table = `posts_${engine.toLowerCase()}`;
      say(`engines: ${engine}: ${s.rows} rows, then ${s.seconds} s of writers and readers`);
      await create(db, table, engine, s.rows);
      const l = await locks(db, table, engine, s);
      const flush = await db.connect('bench');
      await flush.query(`FLUSH TABLES ${table}`);
      const [[info]] = await flush.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
      const [[size]] = await flush.query<RowDataPacket[]>(
        "SELECT DATA_LENGTH + INDEX_LENGTH AS b FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bench' AND TABLE_NAME = ?",
        [table],
      );
      await flush.end();
      const bytesOnDisk = filesOf(db, table);
      say(`engines: ${engine}: kill -9 mid-writes`);
      const k = await crash(db, `crash_${engine.toLowerCase()}`, engine);
      out.push({
        engine,
        ...l,
        bytesOnDisk,
        bytesPerRow: bytesOnDisk / Math.max(1, Number(info?.n ?? 1)),
        tableBytes: Number(size?.b ?? 0),
        ...k,
      });
    }
  } finally {
    await db.stop();
  }
  return out;
}
