/**
 * `make archive` against real MariaDB and the S3 store: old posts move to date-partitioned gzip
 * files; a run killed (SIGKILL) after a few files and then re-run loses nothing and doubles
 * nothing (every old post is in exactly one `done` file, none is left in the table), a third run
 * moves nothing, newer posts stay, and an archived post still reads through the API, marked in
 * X-DB. The script archives this test's own database (ARCHIVE_DATABASE) and small files
 * (ARCHIVE_BATCH=10) so that the kill lands mid-run; ARCHIVE_AFTER_DAYS=1000 keeps it to the
 * posts this test dates 1100+ days back. First, `make archive` is refused (exit 2, nothing
 * archived) while a reshard job is unfinished (a `reshard_jobs` row made in this database) or a
 * reshard holds its lock, and a reshard's claim is refused while an archive holds its own.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { claimMaintenance } from '../../../scripts/maintenance-lock.ts';
import { decodeArchive } from '../../../services/web/posts/archive-format.ts';
import { headerOf } from '../../support/http.ts';
import { startTestWeb } from '../../support/web-app.ts';

const OLD = 120;
const SCRIPT = ['--import', 'tsx', 'scripts/archive.ts'];

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

test('make archive: killed mid-run and re-run, nothing lost or doubled; archived posts still read', async (t) => {
  const web = await startTestWeb(t, { STORAGE: 's3' });
  const sql = await web.sql();
  await sql.query("INSERT INTO users (username, password_hash) VALUES ('archivist', 'x')");
  const [[user]] = await sql.query<RowDataPacket[]>(
    "SELECT id FROM users WHERE username = 'archivist'",
  );
  const rows = Array.from({ length: OLD }, (_, i) => [user?.id, `old post ${i}`, 1100 + (i % 3)]);
  await sql.query(
    `INSERT INTO posts (user_id, body, created_at) VALUES ${rows.map(() => '(?, ?, UTC_TIMESTAMP(3) - INTERVAL ? DAY)').join(', ')}`,
    rows.flat(),
  );
  await sql.query("INSERT INTO posts (user_id, body) VALUES (?, 'new post'), (?, 'new post')", [
    user?.id,
    user?.id,
  ]);
  const oldIds = async () =>
    (
      await sql.query<RowDataPacket[]>(
        'SELECT CAST(id AS CHAR) AS id FROM posts WHERE created_at < UTC_TIMESTAMP() - INTERVAL 1000 DAY ORDER BY posts.id',
      )
    )[0].map((r) => String(r.id));
  const original = await oldIds();
  assert.equal(original.length, OLD);
  const env = {
    ...process.env,
    ARCHIVE_DATABASE: web.database,
    ARCHIVE_AFTER_DAYS: '1000',
    ARCHIVE_BATCH: '10',
  };
  const doneRows = async () =>
    Number(
      (
        await sql.query<RowDataPacket[]>(
          "SELECT COALESCE(SUM(row_count), 0) AS n FROM archive_files WHERE state = 'done'",
        )
      )[0][0]?.n,
    );

  // Refused, touching nothing, while a reshard is unfinished or running (the reshard's copy does
  // not follow deletions), and a reshard is refused while an archive runs.
  await sql.query(
    "CREATE TABLE reshard_jobs (id INT PRIMARY KEY, phase VARCHAR(16) NOT NULL) SELECT 4 AS id, 'fenced' AS phase",
  );
  const unfinished = spawnSync(process.execPath, SCRIPT, {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(unfinished.status, 2, unfinished.stderr + unfinished.stdout);
  assert.match(
    unfinished.stderr,
    /archive: reshard job 4 is unfinished \(stopped at "fenced"\): run make reshard to finish it/,
  );
  await sql.query("UPDATE reshard_jobs SET phase = 'done'");
  const other = await web.sql();
  const lock = (run: string) => `scaling_lab.${run}.${web.database}`;
  await other.query('SELECT GET_LOCK(?, 0)', [lock('reshard')]);
  const running = spawnSync(process.execPath, SCRIPT, { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(running.status, 2, running.stderr + running.stdout);
  assert.match(running.stderr, /archive: make reshard is running on this stack/);
  await other.query('SELECT RELEASE_LOCK(?)', [lock('reshard')]);
  await other.query('SELECT GET_LOCK(?, 0)', [lock('archive')]);
  await assert.rejects(claimMaintenance(sql, web.database, 'reshard'), {
    name: 'MaintenanceBusyError',
    message: 'make archive is running on this stack: run make reshard after it has finished',
  });
  await other.query('SELECT RELEASE_LOCK(?)', [lock('archive')]);
  assert.deepEqual(await oldIds(), original, 'the refused runs archived nothing');
  await sql.query('DROP TABLE reshard_jobs');

  // Run 1, killed after its third file.
  const child = spawn(process.execPath, SCRIPT, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let files = 0;
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    files += text.split('\n').filter((l) => l.includes(': archived ')).length;
    if (files >= 3) child.kill('SIGKILL');
  });
  const [, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (code, sig) => resolve([code, sig])),
  );
  assert.equal(signal, 'SIGKILL', 'the first run was killed, not finished');
  const left = await oldIds();
  assert.ok(left.length > 0 && left.length < OLD, `killed mid-run: ${left.length} of ${OLD} left`);
  assert.equal(
    left.length + (await doneRows()),
    OLD,
    'at the kill: each post in the table or a done file',
  );

  // Run 2 finishes the job.
  const second = spawnSync(process.execPath, SCRIPT, { env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(await oldIds(), [], 'no old post left in the table');
  const [files2] = await sql.query<RowDataPacket[]>(
    'SELECT object_key, state, row_count, day FROM archive_files ORDER BY object_key',
  );
  assert.ok(
    files2.every((f) => f.state === 'done'),
    'no file left uploading',
  );
  const archived: string[] = [];
  for (const f of files2) {
    assert.match(
      String(f.object_key),
      /^archive\/posts\/.+\/mysql-primary\/date=\d{4}-\d{2}-\d{2}\//,
    );
    const object = await web.app.storage.get(String(f.object_key));
    assert.ok(object, `${String(f.object_key)} is in the object store`);
    const posts = decodeArchive(await readAll(object.body));
    assert.equal(posts.length, Number(f.row_count));
    for (const p of posts)
      assert.equal(
        p.createdAt.slice(0, 10),
        String(f.day instanceof Date ? f.day.toISOString().slice(0, 10) : f.day).slice(0, 10),
      );
    archived.push(...posts.map((p) => String(p.id)));
  }
  assert.deepEqual(
    archived.sort((a, b) => Number(a) - Number(b)),
    original,
    'every old post in exactly one file',
  );
  const [[recent]] = await sql.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM posts WHERE body = 'new post'",
  );
  assert.equal(Number(recent?.n), 2, 'newer posts stay');

  // Run 3 moves nothing.
  const third = spawnSync(process.execPath, SCRIPT, { env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(third.status, 0, third.stderr);
  assert.match(third.stdout, /mysql-primary: 0 posts in 0 files/);

  // An archived post reads through the API, from the archive.
  const id = original[7] ?? '';
  const reply = await web.client().get<{ id: number; body: string }>(`/api/posts/${id}`);
  assert.equal(reply.status, 200);
  assert.equal(String(reply.body.id), id);
  assert.match(reply.body.body, /^old post \d+$/);
  assert.equal(headerOf(reply, 'x-db'), 'archive;primary');
});
