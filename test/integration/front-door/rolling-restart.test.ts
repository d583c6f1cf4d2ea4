/**
 * Drill 4 of issue 6, on a stack of the product's defaults: every web server (web, read-API and
 * write-API pools) restarted one after the other through the runner (SIGTERM, then started again)
 * under a mixed load of reads and writes. Each drains with its default settings (readiness 503 first, in-flight requests finish,
 * keep-alive connections closed); not one request may fail.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restartService } from '../../../runner/stack/control.ts';
import { figures } from '../../support/drill-figures.ts';
import { startMixedLoad } from '../../support/mixed-load.ts';
import { sleep, startOwnStack, until } from '../../support/own-stack.ts';
import { servicesOfKind } from '../../support/stack.ts';

test('rolling restart of every web server under a mixed load: zero failed requests', async (t) => {
  const stack = await startOwnStack(t);
  const load = await startMixedLoad(t, { entry: stack.info.entry ?? '', ca: stack.ca });
  await sleep(2000);
  const webs = servicesOfKind(stack.info, 'web');
  assert.equal(webs.length, 6, 'the default topology: 3 web, 2 read-API, 1 write-API');
  const upIn = async (address: string) =>
    (await stack.stats()).pools.flatMap((p) => p.backends).find((b) => b.address === address)
      ?.up === true;
  for (const web of webs) {
    const address = `${web.host}:${web.ports.http}`;
    // `make restart SERVICE=<name>`: SIGTERM, drain, exit, start again, ready.
    const restarted = await restartService(stack.stackFile, web.name);
    assert.notEqual(restarted.pid, web.pid, `${web.name} is a new process`);
    t.diagnostic(`${web.name} restarted at ${Math.round(load.now())} ms`);
    await until(() => upIn(address), 30_000, `${web.name} back in rotation`);
  }
  await sleep(2000);
  const f = figures(await load.stop());
  t.diagnostic(`drill 4 (rolling restart of 6 web servers): ${JSON.stringify(f)}`);
  assert.ok(f.requests > 500, `a real load ran (${f.requests} requests)`);
  assert.deepEqual(f.byCode, {}, 'every request answered 2xx');
});
