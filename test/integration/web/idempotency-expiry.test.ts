/**
 * Idempotency keys are kept for a stated window (IDEMPOTENCY_KEY_TTL_HOURS, default 24 h): a retry
 * inside it replays, a key past it is new again, and expired keys are deleted in bounded batches
 * along the created_at index by the servers' own sweeper.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { EXPIRED_BATCH } from '../../../services/web/db/idempotency-expiry.ts';
import { loggedInClient, startTestWeb, type TestWeb } from '../../support/web-app.ts';

const count = async (sql: Connection, where = '1') => {
  const [rows] = await sql.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM idempotency_keys WHERE ${where}`,
  );
  return Number(rows[0]?.n);
};

/** A root connection to the test's database that reads NOW() as the app does (UTC). */
async function utcSql(web: TestWeb): Promise<Connection> {
  const sql = await web.sql();
  await sql.query("SET time_zone = '+00:00'");
  return sql;
}

/** Makes `n` keys that look `hoursAgo` old, in one statement. */
async function oldKeys(sql: Connection, n: number, hoursAgo: number, tag: string): Promise<void> {
  await sql.query(
    `INSERT INTO idempotency_keys (scope, idem_key, request_hash, status_code, response_body, created_at)
     SELECT ?, CONCAT('k', seq), UNHEX(REPEAT('00', 32)), 201, '{}', NOW(3) - INTERVAL ? HOUR
     FROM seq_1_to_${Math.trunc(n)}`,
    [`test:${tag}`, hoursAgo],
  );
}

test('a retry inside the 24 h window replays; past it the key is new', async (t) => {
  const web = await startTestWeb(t, { STAGE: '4' });
  const { client, id } = await loggedInClient(web);
  const send = () =>
    client.post<{ id: number }>('/api/posts', {
      json: { body: 'once a day' },
      headers: { 'idempotency-key': 'daily' },
    });
  const first = await send();
  assert.equal(first.status, 201);
  const sql = await utcSql(web);
  const age = (hours: number) =>
    sql.query(
      'UPDATE idempotency_keys SET created_at = NOW(3) - INTERVAL ? HOUR WHERE idem_key = ?',
      [hours, 'daily'],
    );

  await age(23);
  const inside = await send();
  assert.equal(inside.body.id, first.body.id, '23 h later: the first answer, nothing written');
  await age(25);
  const past = await send();
  assert.equal(past.status, 201);
  assert.notEqual(past.body.id, first.body.id, '25 h later: a new request');
  const [posts] = await sql.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM posts WHERE user_id = ?',
    [id],
  );
  assert.equal(Number(posts[0]?.n), 2);
});

test('the sweeper deletes expired keys in bounded batches along the created_at index', async (t) => {
  const web = await startTestWeb(t, { STAGE: '4' });
  const sql = await utcSql(web);
  await oldKeys(sql, 2500, 30, 'expired');
  await oldKeys(sql, 40, 1, 'live');

  // Most rows expired: the case where the optimizer would rather scan the table.
  const [find] = await sql.query<RowDataPacket[]>(`EXPLAIN ${EXPIRED_BATCH}`, [86_400, 1000]);
  assert.equal(find[0]?.key, 'idx_idem_created', JSON.stringify(find));
  assert.equal(find[0]?.type, 'range', JSON.stringify(find));
  const [remove] = await sql.query<RowDataPacket[]>(
    "EXPLAIN DELETE FROM idempotency_keys WHERE (scope, idem_key) IN (('test:expired', 'k1'), ('test:expired', 'k2')) AND created_at < NOW(3)",
  );
  assert.equal(remove[0]?.key, 'PRIMARY', JSON.stringify(remove));

  assert.equal(await web.app.expireIdempotencyKeys(1000, 2), 2000, 'at most two batches of 1000');
  assert.equal(await count(sql, "scope = 'test:expired'"), 500);
  assert.equal(await web.app.expireIdempotencyKeys(1000, 20), 500);
  assert.equal(await count(sql, "scope = 'test:expired'"), 0);
  assert.equal(await count(sql, "scope = 'test:live'"), 40, 'keys inside the window stay');
});

test('a web server sweeps by itself', async (t) => {
  // The default interval is a minute (see test/unit/web/config.test.ts); one second keeps the test
  // short. The sweep itself is the same code.
  const web = await startTestWeb(t, { STAGE: '4', IDEMPOTENCY_SWEEP_INTERVAL_SECONDS: '1' });
  const sql = await utcSql(web);
  await oldKeys(sql, 10, 48, 'expired');
  for (let i = 0; i < 50 && (await count(sql)) > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(await count(sql), 0, 'expired keys deleted without being asked');
});
