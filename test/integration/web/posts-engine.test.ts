/**
 * POSTS_ENGINE against the shared stack's real MariaDB servers: an app started with another engine
 * converts the existing posts table (rows kept, foreign key dropped, the replicas follow), keeps
 * answering writes and reads on it, and an app back on InnoDB restores the foreign key. The first
 * app runs the default (InnoDB); each later one changes only POSTS_ENGINE, the setting under test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { loggedInClient, startTestWeb, type TestWeb } from '../../support/web-app.ts';

async function table(conn: Connection, database: string) {
  const [[row]] = await conn.query<RowDataPacket[]>(
    `SELECT t.ENGINE AS engine,
       (SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS c WHERE c.CONSTRAINT_SCHEMA = t.TABLE_SCHEMA
          AND c.TABLE_NAME = 'posts' AND c.CONSTRAINT_TYPE = 'FOREIGN KEY') AS fks
     FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = 'posts'`,
    [database],
  );
  const [[count]] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM posts`);
  return { engine: String(row?.engine), fks: Number(row?.fks), rows: Number(count?.n) };
}

async function writeAndRead(web: TestWeb, body: string): Promise<void> {
  const { client } = await loggedInClient(web, 'engine');
  const created = await client.post<{ id: number }>('/api/posts', { json: { body } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const read = await client.get<{ body: string }>(`/api/posts/${created.body.id}`);
  assert.equal(read.status, 200);
  assert.equal(read.body.body, body);
  const feed = await client.get<{ posts: { body: string }[] }>('/api/feed');
  assert.equal(feed.body.posts[0]?.body, body, 'the feed (by its created_at index) has it first');
}

test('POSTS_ENGINE converts the existing posts table and the app keeps working on each engine', async (t) => {
  const first = await startTestWeb(t);
  await writeAndRead(first, 'written on InnoDB');
  const primary = await first.sql();
  const replica = await first.sql('mysql-replica-1');
  assert.deepEqual(await table(primary, first.database), { engine: 'InnoDB', fks: 1, rows: 1 });

  let rows = 1;
  for (const engine of ['MyISAM', 'Aria', 'MEMORY', 'InnoDB'] as const) {
    const web = await startTestWeb(t, { POSTS_ENGINE: engine }, { database: first.database });
    const after = await table(primary, first.database);
    assert.equal(after.engine, engine, `converted to ${engine}`);
    assert.equal(after.rows, rows, `every post kept when converting to ${engine}`);
    assert.equal(after.fks, engine === 'InnoDB' ? 1 : 0, `foreign key with ${engine}`);
    await writeAndRead(web, `written on ${engine}`);
    rows += 1;
    // The ALTERs replicate: the replica's table has the same engine and rows.
    const [[pos]] = await primary.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS p');
    await replica.query('SELECT MASTER_GTID_WAIT(?, 30)', [String(pos?.p)]);
    const copy = await table(replica, first.database);
    assert.equal(copy.engine, engine, `the replica converted to ${engine} too`);
    assert.equal(copy.rows, rows);
  }
});
