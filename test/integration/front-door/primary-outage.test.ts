/**
 * Item 5 of issue 6 on a stack of the product's defaults: during a primary outage (paused) the
 * app answers writes 503 with Retry-After — answers from working servers. The LB ejects nobody
 * for them (only gateway failures count), so reads and sessions go on from every server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures } from '../../support/drill-figures.ts';
import { startMixedLoad } from '../../support/mixed-load.ts';
import { sleep, startOwnStack } from '../../support/own-stack.ts';
import { serviceProcess } from '../../support/service-process.ts';
import { serviceOf } from '../../support/stack.ts';

test('primary paused under a write load: app 503s pass through, no backend is ejected', async (t) => {
  const stack = await startOwnStack(t);
  const load = await startMixedLoad(t, {
    entry: stack.info.entry ?? '',
    ca: stack.ca,
    mix: { feed: 1, read: 1, write: 3, cart: 2 },
  });
  await sleep(2000);
  const primary = serviceProcess(t, serviceOf(stack.info, 'mysql-primary'));
  const faultAt = load.now();
  primary.signal('SIGSTOP');
  await sleep(10_000);
  primary.signal('SIGCONT');
  const resumedAt = load.now();
  await sleep(8000);
  const outcomes = await load.stop();
  const f = figures(outcomes, faultAt);
  t.diagnostic(`primary paused 10 s: ${JSON.stringify(f)}`);
  const stats = await stack.stats();
  const ejected = stats.pools.flatMap((p) =>
    p.backends.filter((b) => b.ejections > 0).map((b) => `${p.name} ${b.address}`),
  );
  assert.ok(f.byCode['503 WEB_ERR_DB_UNAVAILABLE'] !== undefined, 'the app answered 503s');
  assert.deepEqual(ejected, [], 'nobody ejected for the app’s 503s');
  const lbAnswers = Object.keys(f.byCode).filter((code) => code.includes('LB_ERR_'));
  assert.deepEqual(lbAnswers, [], 'the LB itself answered nothing');
  const after = outcomes.filter((o) => o.kind === 'write' && o.at > resumedAt + 3000);
  assert.ok(
    after.length > 0 && after.every((o) => o.status === 201),
    'writes resume by themselves',
  );
});
