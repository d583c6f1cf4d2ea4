/**
 * sessions: logged-in users each fill a cart over several requests (one item per request), look at
 * it, and check out. Every look compares the cart with the items the server acknowledged: the
 * difference is the notes' Bob problem as a number (items lost per 1,000 carts).
 */
import type { Outcome } from '../core/engine.ts';
import { exchange, json, type RequestSpec } from '../core/http.ts';
import { type Cart, cartOf, itemsLost } from './cart-integrity.ts';
import { type LoggedIn, logIn } from './login.ts';
import { okStatus, partOf, type Scenario, type WorkerContext } from './scenario.ts';

export const ITEMS_PER_CART = 5;
const SKUS = Array.from({ length: 10 }, (_, i) => `BOOK-${String(i + 1).padStart(3, '0')}`);

interface Shopper {
  readonly user: LoggedIn;
  step: number;
  busy: boolean;
  expected: Record<string, number>;
}

export function sessions(ctx: WorkerContext): Scenario {
  const shoppers: Shopper[] = [];
  const counters = { carts: 0, itemsLost: 0, itemsAdded: 0, orders: 0, busyAll: 0 };
  let cursor = 0;

  const pick = (): Shopper | undefined => {
    for (let k = 0; k < shoppers.length; k++) {
      const s = shoppers[(cursor + k) % shoppers.length];
      if (s !== undefined && !s.busy) {
        cursor = (cursor + k + 1) % shoppers.length;
        return s;
      }
    }
    return undefined;
  };

  const specFor = (s: Shopper): RequestSpec => {
    if (s.step < ITEMS_PER_CART) {
      const sku = SKUS[Math.floor(ctx.random() * SKUS.length)] ?? 'BOOK-001';
      return {
        label: 'cart-add',
        method: 'POST',
        path: '/api/cart/items',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sku, qty: 1 }),
      };
    }
    if (s.step === ITEMS_PER_CART) return { label: 'cart-view', method: 'GET', path: '/api/cart' };
    return { label: 'checkout', method: 'POST', path: '/api/orders' };
  };

  const settle = (s: Shopper, spec: RequestSpec, status: number, body: unknown) => {
    if (spec.label === 'cart-add') {
      if (okStatus(status)) {
        const { sku } = JSON.parse(String(spec.body)) as { sku: string };
        s.expected[sku] = (s.expected[sku] ?? 0) + 1;
        counters.itemsAdded += 1;
      }
      s.step += 1;
    } else if (spec.label === 'cart-view') {
      // 401: the session (and the cart in it) is gone: every acknowledged item is lost.
      if (okStatus(status) || status === 401) {
        counters.carts += 1;
        counters.itemsLost += itemsLost(s.expected as Cart, status === 401 ? {} : cartOf(body));
      }
      s.step += 1;
    } else {
      if (status === 201) counters.orders += 1;
      s.step = 0;
      s.expected = {};
    }
  };

  return {
    async prepare() {
      const mine = partOf(ctx.data.users, ctx.worker, ctx.workers);
      // Enough shoppers that one is usually free, few enough that each fills several carts.
      const wanted = Math.min(mine.length, Math.max(2, Math.ceil(ctx.share / 4)));
      for (const user of await logIn(ctx, mine.slice(0, wanted)))
        shoppers.push({ user, step: 0, busy: false, expected: {} });
      if (shoppers.length === 0) throw new Error('sessions: no user to log in as');
      // Start from empty carts: a previous run may have left items behind.
      await Promise.all(
        shoppers.map((s) =>
          exchange(
            ctx.agent,
            ctx.origin,
            { label: 'reset', method: 'POST', path: '/api/orders' },
            s.user.jar,
          ),
        ),
      );
    },
    async send(): Promise<Outcome> {
      const s = pick();
      if (s === undefined) {
        counters.busyAll += 1;
        const any = shoppers[Math.floor(ctx.random() * shoppers.length)] as Shopper;
        const reply = await exchange(
          ctx.agent,
          ctx.origin,
          { label: 'cart-peek', method: 'GET', path: '/api/cart' },
          any.user.jar,
        );
        return { label: 'cart-peek', status: reply.status, ok: okStatus(reply.status) };
      }
      s.busy = true;
      const spec = specFor(s);
      try {
        const reply = await exchange(ctx.agent, ctx.origin, spec, s.user.jar);
        settle(s, spec, reply.status, spec.label === 'cart-view' ? json(reply.body) : undefined);
        return { label: spec.label, status: reply.status, ok: okStatus(reply.status) };
      } finally {
        s.busy = false;
      }
    },
    async finish() {
      return { counters: { ...counters, shoppers: shoppers.length }, series: {} };
    },
  };
}
