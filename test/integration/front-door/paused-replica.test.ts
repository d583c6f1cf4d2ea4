/**
 * Drill 1 of issue 6, on a stack of the product's defaults under a mixed load: one replica paused
 * (SIGSTOP) for 20 s must take no pool out. Readiness says whether a server can do its job (a
 * replica is optional), so every backend stays in rotation and the LB answers nothing itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures } from '../../support/drill-figures.ts';
import { startMixedLoad } from '../../support/mixed-load.ts';
import { sleep, startOwnStack } from '../../support/own-stack.ts';
import { serviceProcess } from '../../support/service-process.ts';
import { serviceOf } from '../../support/stack.ts';

const PAUSE_MS = 20_000;

test('one replica paused for 20 s under load: no backend leaves rotation, no LB 503', async (t) => {
  const stack = await startOwnStack(t);
  const load = await startMixedLoad(t, { entry: stack.info.entry ?? '', ca: stack.ca });
  await sleep(3000);
  const replica = serviceProcess(t, serviceOf(stack.info, 'mysql-replica-1'));
  const faultAt = load.now();
  replica.signal('SIGSTOP');
  const down = new Set<string>();
  const until = Date.now() + PAUSE_MS;
  while (Date.now() < until) {
    for (const pool of (await stack.stats()).pools)
      for (const b of pool.backends) if (!b.up) down.add(`${pool.name} ${b.address}`);
    await sleep(250);
  }
  replica.signal('SIGCONT');
  await sleep(5000);
  const f = figures(await load.stop(), faultAt);
  t.diagnostic(`drill 1 (replica paused ${PAUSE_MS / 1000} s): ${JSON.stringify(f)}`);
  t.diagnostic(`backends seen down: ${[...down].join(', ') || 'none'}`);
  const lbAnswers = Object.keys(f.byCode).filter((code) => code.includes('LB_ERR_'));
  assert.deepEqual(lbAnswers, [], 'the LB never answers for a backend (no empty pool)');
  assert.deepEqual([...down], [], 'a paused replica makes no web server unready');
  assert.equal(f.failed, 0, `no request fails: ${JSON.stringify(f.byCode)}`);
});
