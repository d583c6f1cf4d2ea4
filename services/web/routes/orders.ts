/**
 * Checkout: the session's cart becomes an order on the primary, priced from the products table in
 * the same transaction. Safe to retry with or without an Idempotency-Key: without one, the cart's
 * token is the key, so the same cart (still in the session because emptying it failed, e.g. Redis
 * went away after the commit) orders once and a retry returns that order. Afterwards the cart loses
 * exactly what was ordered, once (shop/checkout.ts): items another tab added meanwhile stay.
 */
import type { FastifyInstance } from 'fastify';
import type { Row } from '../../shared/db/target.ts';
import { HttpError } from '../../shared/http-error.ts';
import { idToJson } from '../../shared/shard/ids.ts';
import { requestDigest } from '../db/idempotency.ts';
import { sessionOf, updateSession } from '../plugins/sessions.ts';
import { newCartToken } from '../sessions/session-id.ts';
import { nextId } from '../sharding/ids.ts';
import { priceCart } from '../shop/cart.ts';
import type { Product } from '../shop/catalog.ts';
import { settleCheckout } from '../shop/checkout.ts';
import { errorResponses, type IdempotencyHeaders, idempotencyHeaders } from './schemas.ts';
import { orderSchema } from './shop-schemas.ts';

interface ProductRow extends Row {
  sku: string;
  name: string;
  price_cents: number;
}

export default async function orderRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Headers: IdempotencyHeaders }>(
    '/api/orders',
    {
      config: { access: 'web', session: 'required' },
      schema: { headers: idempotencyHeaders, response: { 201: orderSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const { data } = sessionOf(request);
      const key = request.headers['idempotency-key'];
      const skus = Object.keys(data.cart).sort();
      const token = data.cartToken;
      const scope = `orders:user:${data.userId}`;
      const userId = BigInt(data.userId);
      // The key names one checkout; the cart it empties is not part of "the same request".
      const claim = key
        ? { scope, key, requestHash: requestDigest('POST /api/orders') }
        : token === undefined
          ? undefined
          : { scope, key: `cart:${token}`, requestHash: requestDigest('POST /api/orders', token) };
      // At the buyer's home; a reshard's fence makes it wait for the new map (plugins/shards.ts).
      const { owner, result } = await app.writeAt(
        userId,
        async (owner) => ({
          owner,
          result: await owner.idempotency.writeOnce(claim, async (tx) => {
            if (skus.length === 0)
              throw new HttpError(409, 'WEB_ERR_CART_EMPTY', 'the cart is empty');
            const rows = await tx.rows<ProductRow>(
              `SELECT sku, name, price_cents FROM products WHERE sku IN (${skus.map(() => '?').join(', ')})`,
              skus,
            );
            const products = new Map<string, Product>(
              rows.map((r) => [r.sku, { sku: r.sku, name: r.name, priceCents: r.price_cents }]),
            );
            const priced = priceCart(data.cart, products);
            if (priced.items.length === 0)
              throw new HttpError(409, 'WEB_ERR_CART_EMPTY', 'nothing in the cart is for sale');
            // Sharded: an id carrying the user's logical shard; unsharded: NULL, AUTO_INCREMENT's.
            const id = owner.logical === undefined ? null : await nextId(tx, owner.logical);
            const order = await tx.write(
              'INSERT INTO orders (id, user_id, item_count, total_cents) VALUES (?, ?, ?, ?)',
              [id, userId, priced.count, priced.totalCents],
            );
            const orderId = id ?? BigInt(order.insertId);
            await tx.write(
              `INSERT INTO order_items (order_id, sku, qty, price_cents) VALUES ${priced.items.map(() => '(?, ?, ?, ?)').join(', ')}`,
              priced.items.flatMap((l) => [orderId, l.sku, l.qty, l.priceCents]),
            );
            return {
              statusCode: 201,
              // cartToken is kept with the answer (not sent): a replay empties only that cart.
              body: {
                id: idToJson(orderId),
                ...priced,
                createdAt: new Date().toISOString(),
                cartToken: token,
              },
            };
          }),
        }),
        'orders',
      );
      const { cartToken: ordered, items } = result.body;
      await updateSession(request, (now) => {
        const settled = settleCheckout(now, ordered, items, newCartToken());
        return { data: settled === undefined ? now : { ...now, ...settled }, result: undefined };
      });
      // Master-master: the master that took it (the other one when the user's was down).
      const xdb = app.masters === undefined ? owner.label : result.writer;
      return reply.header('x-db', xdb).code(result.statusCode).send(result.body);
    },
  );
}
