/**
 * Products and the cart. The cart is held in the login session: with per-server memory sessions
 * and no stickiness it visibly loses items (the notes' Bob); the response names the server. Every
 * change is one atomic session update, so concurrent adds (two tabs) all land, and gets a new cart
 * token (what checkout is idempotent on).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../../shared/http-error.ts';
import { requestDigest } from '../db/idempotency.ts';
import { sessionOf, updateSession } from '../plugins/sessions.ts';
import { type Lookup, lookupReply, rememberReply } from '../sessions/replies.ts';
import { newCartToken } from '../sessions/session-id.ts';
import type { SessionChange } from '../sessions/store.ts';
import { addToCart, priceCart, removeFromCart } from '../shop/cart.ts';
import type { Catalog } from '../shop/catalog.ts';
import { errorResponses, type IdempotencyHeaders, idempotencyHeaders } from './schemas.ts';
import { addItemBody, cartSchema, productsSchema, skuParams } from './shop-schemas.ts';

type AddOutcome =
  | Exclude<Lookup, { kind: 'new' }>
  | { kind: 'full' }
  | { kind: 'added'; body: unknown };

export interface CartOptions {
  readonly catalog: Catalog;
  readonly serverId: string;
}

export default async function cartRoutes(
  app: FastifyInstance,
  { catalog, serverId }: CartOptions,
): Promise<void> {
  const cartReply = async (request: FastifyRequest) => {
    const { data } = sessionOf(request);
    return { ...priceCart(data.cart, await catalog.products()), server: serverId };
  };

  app.get(
    '/api/products',
    { config: { access: 'web' }, schema: { response: { 200: productsSchema, ...errorResponses } } },
    async () => ({
      products: [...(await catalog.products()).values()],
    }),
  );

  app.get(
    '/api/cart',
    {
      config: { access: 'web', session: 'required' },
      schema: { response: { 200: cartSchema, ...errorResponses } },
    },
    cartReply,
  );

  app.post<{ Body: { sku: string; qty: number }; Headers: IdempotencyHeaders }>(
    '/api/cart/items',
    {
      config: { access: 'web', session: 'required' },
      schema: {
        body: addItemBody,
        headers: idempotencyHeaders,
        response: { 200: cartSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { sku, qty } = request.body;
      const key = request.headers['idempotency-key'];
      const hash = requestDigest('POST /api/cart/items', sku, String(qty)).toString('base64');
      const products = await catalog.products();
      if (!products.has(sku)) throw new HttpError(404, 'WEB_ERR_UNKNOWN_SKU', `no product ${sku}`);
      const outcome = await updateSession(request, (data): SessionChange<AddOutcome> => {
        const seen = lookupReply(data.replies, key, hash);
        if (seen.kind !== 'new') return { data, result: seen };
        const cart = addToCart(data.cart, sku, qty);
        if (cart === undefined) return { data, result: { kind: 'full' } };
        const body = { ...priceCart(cart, products), server: serverId };
        const replies = rememberReply(data.replies, key, hash, body);
        return {
          data: { ...data, cart, cartToken: newCartToken(), replies },
          result: { kind: 'added', body },
        };
      });
      if (outcome.kind === 'conflict') {
        throw new HttpError(
          422,
          'WEB_ERR_IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was already used for a different request',
        );
      }
      if (outcome.kind === 'full')
        throw new HttpError(409, 'WEB_ERR_CART_FULL', 'the cart has too many different items');
      return outcome.body;
    },
  );

  app.delete<{ Params: { sku: string } }>(
    '/api/cart/items/:sku',
    {
      config: { access: 'web', session: 'required' },
      schema: { params: skuParams, response: { 200: cartSchema, ...errorResponses } },
    },
    async (request) => {
      const { sku } = request.params;
      await updateSession(request, (data) => ({
        data:
          data.cart[sku] === undefined
            ? data
            : { ...data, cart: removeFromCart(data.cart, sku), cartToken: newCartToken() },
        result: undefined,
      }));
      return cartReply(request);
    },
  );
}
