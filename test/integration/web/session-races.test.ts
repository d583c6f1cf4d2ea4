/**
 * Session updates under concurrency and failure, in both stores: concurrent cart changes (two tabs)
 * all land, and a checkout whose cart could not be emptied (Redis paused right after the order
 * committed) is safe to retry without an Idempotency-Key: one order, the same answer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { headerOf, type Reply } from '../../support/http.ts';
import { startTestRedis } from '../../support/redis-server.ts';
import { loggedInClient, startTestWeb } from '../../support/web-app.ts';

interface Cart {
  items: { sku: string; qty: number }[];
  count: number;
}

const ADDS = 24;

/** Waits until a statement starting with `prefix` runs (blocked) in `database`. */
async function waitForStatement(sql: Connection, database: string, prefix: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [running] = await sql.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ?',
      [database, `${prefix}%`],
    );
    if (Number(running[0]?.n) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${prefix} statement started in ${database}`);
}

for (const [store, env] of [
  ['redis', { STAGE: '4' }],
  ['memory', { STAGE: '1' }],
] as const) {
  test(`concurrent cart adds all land (${store} sessions)`, async (t) => {
    const web = await startTestWeb(t, env);
    const { client } = await loggedInClient(web);
    const skus = ['BOOK-001', 'BOOK-002', 'BOOK-003', 'BOOK-004'];
    const replies = await Promise.all(
      Array.from({ length: ADDS }, (_, i) =>
        client.post<Cart>('/api/cart/items', { json: { sku: skus[i % skus.length], qty: 1 } }),
      ),
    );
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
    const cart = await client.get<Cart>('/api/cart');
    t.diagnostic(`${cart.body.count} of ${ADDS} concurrent adds kept`);
    assert.equal(cart.body.count, ADDS, 'no add is lost');
    assert.deepEqual(
      cart.body.items.map((l) => [l.sku, l.qty]),
      skus.map((sku) => [sku, ADDS / skus.length]),
    );
  });
}

test('checkout after Redis failed past the commit: a retry without a key orders once', async (t) => {
  const redis = await startTestRedis(t);
  const web = await startTestWeb(t, { STAGE: '4', REDIS_URL: redis.url });
  const { client, id } = await loggedInClient(web);
  await client.post('/api/cart/items', { json: { sku: 'BOOK-001', qty: 2 } });
  await client.post('/api/cart/items', { json: { sku: 'BOOK-002', qty: 1 } });

  // Hold the order's INSERT on a lock, pause Redis, then let the order commit: emptying the cart
  // (the next step) meets a paused Redis.
  const locker = await web.sql();
  const watcher = await web.sql();
  await locker.query('LOCK TABLES orders WRITE');
  let checkout: Promise<Reply<{ id: number; error?: { code: string } }>>;
  try {
    checkout = client.post('/api/orders');
    await waitForStatement(watcher, web.database, 'INSERT INTO orders');
    redis.pause();
  } finally {
    await locker.query('UNLOCK TABLES');
  }
  const first = await checkout;
  redis.resume();
  assert.equal(first.status, 503, 'the cart could not be emptied: the client is told to retry');
  assert.equal(first.body.error?.code, 'WEB_ERR_SESSION_STORE_UNAVAILABLE');
  assert.equal(headerOf(first, 'retry-after'), '1');

  const [committed] = await watcher.query<RowDataPacket[]>(
    'SELECT id FROM orders WHERE user_id = ?',
    [id],
  );
  assert.equal(committed.length, 1, 'the order committed before Redis failed');

  const retry = await client.post<{ id: number; count: number }>('/api/orders');
  assert.equal(retry.status, 201, 'the retry answers with the order');
  assert.equal(retry.body.id, Number(committed[0]?.id), 'the same order, not a second one');
  assert.equal(retry.body.count, 3);
  const [orders] = await watcher.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM orders WHERE user_id = ?',
    [id],
  );
  assert.equal(Number(orders[0]?.n), 1, 'exactly one order');
  assert.deepEqual((await client.get<Cart>('/api/cart')).body.items, [], 'the cart is empty now');

  await client.post('/api/cart/items', { json: { sku: 'BOOK-001', qty: 1 } });
  const next = await client.post<{ id: number }>('/api/orders');
  assert.equal(next.status, 201, 'a new cart is a new order');
  assert.notEqual(next.body.id, retry.body.id);
});

test('checkout when Redis stopped right after the commit: a retry without a key orders once', async (t) => {
  const redis = await startTestRedis(t);
  const web = await startTestWeb(t, { STAGE: '4', REDIS_URL: redis.url });
  const { client, id } = await loggedInClient(web);
  await client.post('/api/cart/items', { json: { sku: 'BOOK-003', qty: 1 } });
  const locker = await web.sql();
  const watcher = await web.sql();
  await locker.query('LOCK TABLES orders WRITE');
  let checkout: Promise<Reply<{ id: number }>>;
  try {
    checkout = client.post('/api/orders');
    await waitForStatement(watcher, web.database, 'INSERT INTO orders');
    await redis.stop();
  } finally {
    await locker.query('UNLOCK TABLES');
  }
  const first = await checkout;
  assert.equal(first.status, 503, 'emptying the cart failed: the client is told to retry');
  await redis.start();
  let retry: Reply<{ id: number }> = first;
  for (let i = 0; i < 30 && retry.status === 503; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    retry = await client.post('/api/orders');
  }
  assert.equal(retry.status, 201);
  const [orders] = await watcher.query<RowDataPacket[]>('SELECT id FROM orders WHERE user_id = ?', [
    id,
  ]);
  assert.deepEqual(
    orders.map((r) => Number(r.id)),
    [retry.body.id],
    'one order, and the retry answers with it',
  );
});

test('a checkout keeps items another tab added while it ran', async (t) => {
  const web = await startTestWeb(t, { STAGE: '4' });
  const { client } = await loggedInClient(web);
  await client.post('/api/cart/items', { json: { sku: 'BOOK-001', qty: 1 } });
  const locker = await web.sql();
  await locker.query('LOCK TABLES orders WRITE');
  let checkout: Promise<Reply<{ count: number }>>;
  try {
    checkout = client.post('/api/orders');
    await waitForStatement(await web.sql(), web.database, 'INSERT INTO orders');
    const added = await client.post<Cart>('/api/cart/items', {
      json: { sku: 'BOOK-002', qty: 1 },
    });
    assert.equal(added.status, 200);
  } finally {
    await locker.query('UNLOCK TABLES');
  }
  const order = await checkout;
  assert.equal(order.status, 201);
  assert.equal(order.body.count, 1, 'the order is the cart it started with');
  const cart = await client.get<Cart>('/api/cart');
  assert.deepEqual(
    cart.body.items.map((l) => l.sku),
    ['BOOK-002'],
    'the item added meanwhile is still in the cart',
  );
});
