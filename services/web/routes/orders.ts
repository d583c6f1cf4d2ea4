/**
 * Checkout: the session's cart becomes an order on the primary, priced from the products table in
 * the same transaction. With an Idempotency-Key a retried checkout returns the first order.
 */
import type { FastifyInstance } from 'fastify';
import type { Row } from '../../shared/db/target.ts';
import { HttpError } from '../../shared/http-error.ts';
import { requestDigest, writeOnce } from '../db/idempotency.ts';
import { saveSession, sessionOf } from '../plugins/sessions.ts';
import { priceCart } from '../shop/cart.ts';
import type { Product } from '../shop/catalog.ts';
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
      // The key names one checkout; the cart it empties is not part of "the same request".
      const claim = key
        ? {
            scope: `orders:user:${data.userId}`,
            key,
            requestHash: requestDigest('POST /api/orders'),
          }
        : undefined;
      const result = await writeOnce(app.db.primary, claim, async (tx) => {
        if (skus.length === 0) throw new HttpError(409, 'WEB_ERR_CART_EMPTY', 'the cart is empty');
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
        const order = await tx.write(
          'INSERT INTO orders (user_id, item_count, total_cents) VALUES (?, ?, ?)',
          [data.userId, priced.count, priced.totalCents],
        );
        await tx.write(
          `INSERT INTO order_items (order_id, sku, qty, price_cents) VALUES ${priced.items.map(() => '(?, ?, ?, ?)').join(', ')}`,
          priced.items.flatMap((l) => [order.insertId, l.sku, l.qty, l.priceCents]),
        );
        return {
          statusCode: 201,
          body: { id: order.insertId, ...priced, createdAt: new Date().toISOString() },
        };
      });
      if (!result.replayed) await saveSession(request, { ...data, cart: {} });
      return reply.header('x-db', 'primary').code(result.statusCode).send(result.body);
    },
  );
}
