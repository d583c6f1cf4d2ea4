import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadLbConfig } from '../../../services/lb/config/load.ts';
import { Registry } from '../../../services/lb/pools/registry.ts';
import { Admission, type Waiter } from '../../../services/lb/proxy/admission.ts';

function setup(settings: Partial<{ LB_POOL_MAX_QUEUE: string; LB_BACKEND_MAX_QUEUE: string }>) {
  const config = loadLbConfig({
    STICKY: 'off',
    LB_HEALTH_INTERVAL_MS: '0',
    LB_POOLS: 'web=127.0.0.31:3000,127.0.0.32:3000',
    LB_BACKEND_MAX_CONNECTIONS: '1',
    LB_QUEUE_TIMEOUT_MS: '100',
    ...settings,
  });
  const registry = new Registry(config);
  registry.syncMembers('web', [
    { host: '127.0.0.31', port: 3000, weight: 1 },
    { host: '127.0.0.32', port: 3000, weight: 1 },
  ]);
  const events: string[] = [];
  const admission = new Admission(config.admission, {
    admitted: (w, b) => {
      b.inflight++;
      events.push(`${(w as W).name}→${b.address}`);
    },
    expired: (w) => events.push(`${(w as W).name} expired`),
  });
  const pool = registry.pool('web');
  const [b1, b2] = pool?.backends ?? [];
  assert.ok(pool && b1 && b2);
  for (const b of [b1, b2]) b.inflight = 1;
  return { admission, pool, b1, b2, events };
}

interface W extends Waiter {
  readonly name: string;
}
const waiter = (name: string, tried: Waiter['tried'] = null): W => ({
  name,
  waiting: null,
  queuedAt: 0,
  tried,
});

test('a freed slot goes to the oldest request waiting for that backend or for its pool', async () => {
  const { admission, pool, b1, b2, events } = setup({});
  assert.ok(admission.waitIn(pool, waiter('p1')));
  await sleep(2);
  assert.ok(admission.waitFor(b2, waiter('s2')));
  assert.ok(admission.waitIn(pool, waiter('p2', [b2])));
  assert.equal(admission.waiting, 3);
  assert.equal(admission.queuedIn(pool), 3);
  b2.inflight = 0;
  admission.slotFreed(b2);
  assert.deepEqual(events, ['p1→127.0.0.32:3000'], 'the pool queue’s head is older');
  b2.inflight = 0;
  admission.slotFreed(b2);
  assert.deepEqual(events.at(-1), 's2→127.0.0.32:3000', 'then the sticky one');
  b2.inflight = 0;
  admission.slotFreed(b2);
  assert.equal(events.length, 2, 'p2 already failed on b2: it waits for another backend');
  b1.inflight = 0;
  admission.slotFreed(b1);
  assert.deepEqual(events.at(-1), 'p2→127.0.0.31:3000');
  assert.equal(admission.waiting, 0);
});

test('queues are bounded, and a request waits no longer than the queue timeout', async () => {
  const { admission, pool, b1, events } = setup({
    LB_POOL_MAX_QUEUE: '2',
    LB_BACKEND_MAX_QUEUE: '1',
  });
  assert.ok(admission.waitIn(pool, waiter('a')));
  assert.ok(admission.waitIn(pool, waiter('b')));
  assert.equal(admission.waitIn(pool, waiter('c')), false, 'the pool queue is full');
  assert.ok(admission.waitFor(b1, waiter('s')));
  assert.equal(admission.waitFor(b1, waiter('t')), false, 'the backend queue is full');
  const gone = waiter('gone');
  admission.leave(gone);
  await sleep(250);
  assert.deepEqual(events.sort(), ['a expired', 'b expired', 's expired']);
  assert.equal(admission.waiting, 0);
});
