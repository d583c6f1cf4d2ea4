/**
 * Archives one MariaDB server's old posts, crash-safe and idempotent:
 *
 *  0. files left `uploading` by a run that died are forgotten: their objects deleted, their rows
 *     (never deleted from posts) archived again below;
 *  1. the oldest posts before the cutoff, at most `batch`, all of one UTC day, are read;
 *  2. their file is recorded `uploading` (committed), then uploaded;
 *  3. it is read back and checked: the same ids, as many as were read;
 *  4. one transaction deletes exactly those rows (the count must match, or it rolls back) and
 *     marks the file `done`.
 * A kill at any point leaves every post either in `posts` or in a `done` file, never both, never
 * neither; a re-run continues where the last one stopped and moves nothing twice.
 */
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { ObjectStore } from '../../services/shared/storage/object-store.ts';
import {
  ARCHIVE_CONTENT_TYPE,
  archiveKey,
  decodeArchive,
  encodeArchive,
  utcDay,
} from '../../services/web/posts/archive-format.ts';
import { type PostRow, toPost } from '../../services/web/posts/sql.ts';

export interface ArchiveRun {
  readonly conn: Connection;
  readonly store: ObjectStore;
  /** The database and the server's instance name, in the object keys. */
  readonly database: string;
  readonly server: string;
  readonly cutoff: Date;
  readonly batch: number;
  readonly say: (line: string) => void;
}

export interface Archived {
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
  readonly recovered: number;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

async function recover(run: ArchiveRun): Promise<number> {
  const [left] = await run.conn.query<RowDataPacket[]>(
    "SELECT object_key FROM archive_files WHERE state = 'uploading'",
  );
  for (const { object_key: key } of left) {
    await run.store.delete(String(key));
    await run.conn.query("DELETE FROM archive_files WHERE object_key = ? AND state = 'uploading'", [
      key,
    ]);
    run.say(`${run.server}: forgot unfinished ${String(key)}`);
  }
  return left.length;
}

async function nextBatch(run: ArchiveRun): Promise<PostRow[]> {
  const [rows] = await run.conn.query<PostRow[]>(
    `SELECT p.id, p.user_id, u.username, p.body, p.created_at
       FROM posts p FORCE INDEX (idx_posts_created) STRAIGHT_JOIN users u ON u.id = p.user_id
      WHERE p.created_at < ? ORDER BY p.created_at, p.id LIMIT ?`,
    [run.cutoff, run.batch],
  );
  const first = rows[0];
  if (first === undefined) return [];
  const day = utcDay(first.created_at);
  return rows.filter((r) => utcDay(r.created_at) === day);
}

async function archiveBatch(run: ArchiveRun, rows: PostRow[]): Promise<number> {
  const ids = rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const first = ids[0] ?? 0n;
  const last = ids[ids.length - 1] ?? 0n;
  const day = utcDay(rows[0]?.created_at ?? new Date());
  const key = archiveKey({
    database: run.database,
    server: run.server,
    day,
    firstId: String(first),
    lastId: String(last),
  });
  const file = encodeArchive(rows.map(toPost));
  await run.conn.query(
    "INSERT INTO archive_files (object_key, day, first_id, last_id, row_count, bytes, state) VALUES (?, ?, ?, ?, ?, ?, 'uploading')",
    [key, day, first, last, rows.length, file.length],
  );
  await run.store.put(key, file, ARCHIVE_CONTENT_TYPE);
  const stored = await run.store.get(key);
  if (stored === undefined) throw new Error(`${key} is not in the object store after its upload`);
  const back = decodeArchive(await readAll(stored.body)).map((p) => String(p.id));
  const wanted = new Set(ids.map(String));
  if (back.length !== ids.length || !back.every((id) => wanted.has(id)))
    throw new Error(`${key} read back ${back.length} posts, expected ${ids.length}: not deleting`);
  await run.conn.beginTransaction();
  try {
    const [deleted] = await run.conn.query<ResultSetHeader>(
      `DELETE FROM posts WHERE id IN (${ids.map(() => '?').join(', ')}) AND created_at < ?`,
      [...ids, run.cutoff],
    );
    if (deleted.affectedRows !== ids.length)
      throw new Error(`${key}: ${deleted.affectedRows} rows to delete, expected ${ids.length}`);
    await run.conn.query("UPDATE archive_files SET state = 'done' WHERE object_key = ?", [key]);
    await run.conn.commit();
  } catch (error) {
    await run.conn.rollback().catch(() => undefined);
    throw error;
  }
  run.say(`${run.server}: archived ${ids.length} posts of ${day} to ${key}`);
  return file.length;
}

export async function archiveServer(run: ArchiveRun): Promise<Archived> {
  const recovered = await recover(run);
  let rows = 0;
  let files = 0;
  let bytes = 0;
  for (;;) {
    const batch = await nextBatch(run);
    if (batch.length === 0) break;
    bytes += await archiveBatch(run, batch);
    rows += batch.length;
    files += 1;
  }
  return { rows, files, bytes, recovered };
}
