import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HashGate } from '../../../services/web/auth/hash-gate.ts';
import { MemorySessionStore } from '../../../services/web/sessions/memory-store.ts';
import type { SessionData } from '../../../services/web/sessions/store.ts';
import {
  type CartState,
  REMEMBERED_CHECKOUTS,
  settleCheckout,
} from '../../../services/web/shop/checkout.ts';

test('checkout settles the cart once: emptied, reduced by what was ordered, or left alone', () => {
  const ordered = [
    { sku: 'A', qty: 2 },
    { sku: 'B', qty: 1 },
  ];
  const cases: [string, CartState, string | undefined, CartState | undefined][] = [
    [
      'the cart ordered is emptied',
      { cart: { A: 2, B: 1 }, cartToken: 't1' },
      't1',
      { cart: {}, cartToken: 'new', checkedOut: ['t1'] },
    ],
    [
      'items added meanwhile stay',
      { cart: { A: 3, B: 1, C: 1 }, cartToken: 't2' },
      't1',
      { cart: { A: 1, C: 1 }, cartToken: 'new', checkedOut: ['t1'] },
    ],
    [
      'a replay after the cart was settled changes nothing',
      { cart: { A: 1 }, cartToken: 't3', checkedOut: ['t1'] },
      't1',
      undefined,
    ],
    [
      'a session from before cart tokens is emptied',
      { cart: { A: 2 } },
      undefined,
      { cart: {}, cartToken: 'new' },
    ],
  ];
  for (const [name, state, token, expected] of cases)
    assert.deepEqual(settleCheckout(state, token, ordered, 'new'), expected, name);
  let state: CartState = { cart: {}, checkedOut: [] };
  for (let i = 0; i < REMEMBERED_CHECKOUTS + 3; i++)
    state = settleCheckout(state, `t${i}`, [], 'x') ?? state;
  assert.equal(state.checkedOut?.length, REMEMBERED_CHECKOUTS, 'bounded');
  assert.equal(state.checkedOut?.at(-1), `t${REMEMBERED_CHECKOUTS + 2}`);
});

test('memory sessions: concurrent updates all land', async () => {
  const store = new MemorySessionStore(10);
  const data: SessionData = { userId: 1, username: 'u', createdAt: 0, cart: {} };
  await store.set('s', data, 60);
  const add = () =>
    store.update(
      's',
      (d) => ({ data: { ...d, cart: { A: (d.cart.A ?? 0) + 1 } }, result: undefined }),
      60,
    );
  await Promise.all(Array.from({ length: 20 }, add));
  assert.equal((await store.get('s'))?.cart.A, 20);
  assert.equal(await store.update('gone', (d) => ({ data: d, result: 1 }), 60), undefined);
  await store.close();
});

test('the hash gate sheds past its bound and frees its slots', async () => {
  const gate = new HashGate(2);
  let release: () => void = () => undefined;
  const blocked = new Promise<void>((resolve) => {
    release = resolve;
  });
  const running = [gate.run(() => blocked), gate.run(() => blocked)];
  await assert.rejects(
    gate.run(async () => 1),
    { statusCode: 503, code: 'WEB_ERR_OVERLOADED' },
  );
  release();
  await Promise.all(running);
  assert.equal(gate.pending, 0);
  assert.equal(await gate.run(async () => 7), 7);
  assert.equal(await new HashGate(0).run(async () => 8), 8, '0 means no bound');
});
