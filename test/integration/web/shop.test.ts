import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { loggedInClient, startTestWeb } from '../../support/web-app.ts';

interface Cart {
  items: { sku: string; qty: number; lineCents: number }[];
  count: number;
  totalCents: number;
}

test('cart in the session, checkout writes the order on the primary', async (t) => {
  const web = await startTestWeb(t, { STAGE: '1' });
  const { client, id } = await loggedInClient(web);
  const products = await client.get<{ products: { sku: string; priceCents: number }[] }>(
    '/api/products',
  );
  assert.equal(products.status, 200);
  const [a, b] = products.body.products;
  assert.ok(a && b);

  assert.equal(
    (await client.post('/api/cart/items', { json: { sku: a.sku, qty: 2 } })).status,
    200,
  );
  const cart = await client.post<Cart>('/api/cart/items', { json: { sku: b.sku, qty: 1 } });
  assert.deepEqual(
    cart.body.items.map((l) => [l.sku, l.qty]),
    [
      [a.sku, 2],
      [b.sku, 1],
    ],
  );
  assert.equal(cart.body.totalCents, 2 * a.priceCents + b.priceCents);

  const removed = await client.delete<Cart>(`/api/cart/items/${b.sku}`);
  assert.deepEqual(
    removed.body.items.map((l) => l.sku),
    [a.sku],
  );
  await client.post('/api/cart/items', { json: { sku: b.sku, qty: 3 } });

  const order = await client.post<{ id: number; totalCents: number; count: number }>('/api/orders');
  assert.equal(order.status, 201);
  assert.equal(order.body.count, 5);
  assert.equal(order.body.totalCents, 2 * a.priceCents + 3 * b.priceCents);

  const sql = await web.sql();
  const [orders] = await sql.query<RowDataPacket[]>(
    'SELECT user_id, item_count, total_cents FROM orders WHERE id = ?',
    [order.body.id],
  );
  assert.deepEqual(
    orders.map((r) => [Number(r.user_id), r.item_count, Number(r.total_cents)]),
    [[id, 5, order.body.totalCents]],
  );
  const [items] = await sql.query<RowDataPacket[]>(
    'SELECT sku, qty FROM order_items WHERE order_id = ? ORDER BY sku',
    [order.body.id],
  );
  assert.deepEqual(
    items.map((r) => [r.sku, r.qty]),
    [
      [a.sku, 2],
      [b.sku, 3],
    ],
  );

  assert.deepEqual(
    (await client.get<Cart>('/api/cart')).body.items,
    [],
    'checkout empties the cart',
  );
  const again = await client.post<{ error: { code: string } }>('/api/orders');
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'WEB_ERR_CART_EMPTY');
});

test('cart input is validated', async (t) => {
  const web = await startTestWeb(t);
  const { client } = await loggedInClient(web);
  const cases: [unknown, number][] = [
    [{ sku: 'BOOK-001', qty: 0 }, 400],
    [{ sku: 'BOOK-001', qty: 100 }, 400],
    [{ sku: 'BOOK-001', qty: 1.5 }, 400],
    [{ sku: 'book-001', qty: 1 }, 400],
    [{ sku: "BOOK-001' OR '1'='1", qty: 1 }, 400],
    [{ sku: 'NO-SUCH-BOOK', qty: 1 }, 404],
    [{ sku: 'BOOK-001' }, 400],
    [{ sku: 'BOOK-001', qty: 1, price: 0 }, 400],
  ];
  for (const [json, status] of cases) {
    const reply = await client.post('/api/cart/items', { json });
    assert.equal(reply.status, status, JSON.stringify(json));
  }
  assert.equal(
    (await web.client().post('/api/cart/items', { json: { sku: 'BOOK-001', qty: 1 } })).status,
    401,
  );
});

test('a repeated Idempotency-Key checks out once and adds to the cart once', async (t) => {
  const web = await startTestWeb(t);
  const { client, id } = await loggedInClient(web);
  const add = () =>
    client.post<Cart>('/api/cart/items', {
      json: { sku: 'BOOK-002', qty: 1 },
      headers: { 'idempotency-key': 'add-1' },
    });
  await add();
  assert.equal((await add()).body.count, 1, 'the retried add is replayed, not applied twice');
  const conflict = await client.post('/api/cart/items', {
    json: { sku: 'BOOK-003', qty: 1 },
    headers: { 'idempotency-key': 'add-1' },
  });
  assert.equal(conflict.status, 422);

  const checkout = () =>
    client.post<{ id: number }>('/api/orders', { headers: { 'idempotency-key': 'checkout-1' } });
  const [first, second] = await Promise.all([checkout(), checkout()]);
  assert.equal(first.status, 201);
  assert.equal(second.status, 201);
  assert.equal(first.body.id, second.body.id);
  const third = await checkout();
  assert.equal(
    third.body.id,
    first.body.id,
    'a retry after the cart was emptied replays the same order',
  );
  const [rows] = await (await web.sql()).query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM orders WHERE user_id = ?',
    [id],
  );
  assert.equal(Number(rows[0]?.n), 1);
});
