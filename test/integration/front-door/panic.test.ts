/**
 * The panic threshold on a stack of the product's defaults: every database server paused at once
 * makes every web server unready (none can do its job), which the LB takes for a shared cause.
 * It keeps routing to every server that answers (Envoy's panic threshold) instead of answering
 * LB_ERR_NO_BACKEND for all, says so in its stats, metrics and log, and returns to normal after.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { figures } from '../../support/drill-figures.ts';
import { startMixedLoad } from '../../support/mixed-load.ts';
import { sleep, startOwnStack, until } from '../../support/own-stack.ts';
import { serviceProcess } from '../../support/service-process.ts';
import { serviceOf } from '../../support/stack.ts';

test('every database paused: pools panic instead of emptying, and say so', async (t) => {
  const stack = await startOwnStack(t);
  const lb = serviceOf(stack.info, 'lb');
  const load = await startMixedLoad(t, { entry: stack.info.entry ?? '', ca: stack.ca });
  await sleep(2000);
  const dbs = ['mysql-primary', 'mysql-replica-1', 'mysql-replica-2'].map((name) =>
    serviceProcess(t, serviceOf(stack.info, name)),
  );
  const faultAt = load.now();
  for (const db of dbs) db.signal('SIGSTOP');
  const routing = async () =>
    Object.fromEntries((await stack.stats()).pools.map((p) => [p.name, p.routing]));
  await until(
    async () => Object.values(await routing()).every((r) => r === 'panic'),
    20_000,
    'every pool in panic',
  );
  const metrics = await (await fetch(`http://${lb.host}:${lb.ports.admin}/metrics`)).text();
  await sleep(3000);
  for (const db of dbs) db.signal('SIGCONT');
  await until(
    async () => Object.values(await routing()).every((r) => r === 'normal'),
    30_000,
    'every pool back to normal',
  );
  const f = figures(await load.stop(), faultAt);
  t.diagnostic(`every database paused: ${JSON.stringify(f)}`);
  assert.match(metrics, /^lb_pool_panic\{pool="web"\} 1$/m);
  assert.match(metrics, /^lb_pool_panic\{pool="write-api"\} 1$/m);
  const log = readFileSync(lb.logFile, 'utf8');
  assert.match(log, /pool in panic/);
  assert.match(log, /pool back to normal/);
  const lbAnswers = Object.keys(f.byCode).filter((code) => code.includes('LB_ERR_'));
  assert.deepEqual(lbAnswers, [], 'the app answers (from its cache, or 503), never the LB');
});
