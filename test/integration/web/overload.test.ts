/**
 * A busy primary is overload, not an outage (product defaults: pool 10, wait queue 100, acquire
 * 2 s, statement limit 5 s). With the posts table locked, writes pile up: the ones past the wait
 * queue are refused at once (503 WEB_ERR_DB_QUEUE_FULL), the others end as 503 WEB_ERR_DB_BUSY
 * when their wait or the server's statement limit runs out; the timed-out statements stop on the
 * server too; the primary is never marked down, so the first write after the lock goes through,
 * and reads stay on the replicas throughout.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { type Client, headerOf } from '../../support/http.ts';
import { loggedInClient, startTestWeb, type TestWeb } from '../../support/web-app.ts';

const WRITERS = 150;

test('a locked table: writes answer busy, the queue is bounded, nothing is marked down', async (t) => {
  const web = await startTestWeb(t, { STAGE: '4' });
  const { client } = await loggedInClient(web);
  const locker = await web.sql();
  await locker.query('LOCK TABLES posts WRITE');
  try {
    await overloaded(t, web, client);
  } finally {
    await locker.query('UNLOCK TABLES');
  }
  assert.equal(web.app.db.primary.available, true, 'the primary is not marked down');
  const after = await client.post('/api/posts', { json: { body: 'right after' } });
  assert.equal(after.status, 201, 'the first write after the lock goes through');
});

/** Writes against the locked table, and what they must answer. */
async function overloaded(t: TestContext, web: TestWeb, client: Client): Promise<void> {
  const pending = Promise.all(
    Array.from({ length: WRITERS }, (_, i) =>
      client.post<{ error?: { code: string } }>('/api/posts', { json: { body: `busy ${i}` } }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const read = await web.client().get('/api/feed?limit=3');
  assert.equal(read.status, 200, 'reads go on');
  assert.match(headerOf(read, 'x-db') ?? '', /^replica-\d$/, 'reads stay on the replicas');
  const writes = await pending;

  const codes = new Map<string, number>();
  for (const reply of writes) {
    assert.equal(reply.status, 503, JSON.stringify(reply.body));
    assert.equal(headerOf(reply, 'retry-after'), '1');
    const code = reply.body.error?.code ?? '';
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  t.diagnostic(`answers: ${JSON.stringify(Object.fromEntries(codes))}`);
  assert.deepEqual(
    [...codes.keys()].sort(),
    ['WEB_ERR_DB_BUSY', 'WEB_ERR_DB_QUEUE_FULL'],
    'busy, not unavailable',
  );
  // 10 pooled connections and 100 waiting: the rest are refused without waiting.
  assert.ok((codes.get('WEB_ERR_DB_QUEUE_FULL') ?? 0) >= WRITERS - 110 - 10);

  const [left] = await (await web.sql()).query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'INSERT INTO posts%'",
    [web.database],
  );
  assert.equal(Number(left[0]?.n), 0, 'timed-out statements ended on the server, not only here');
}
