/**
 * Drill 2 of issue 6, on a stack of the product's defaults under a mixed load: kill -9 of the only
 * write-API server. The empty write-API pool falls back to the web pool (HAProxy's `backup`), so
 * only requests already sent to the dead process may fail; when it is back, writes return to it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startService, stopService } from '../../../runner/stack/control.ts';
import { figures } from '../../support/drill-figures.ts';
import { startMixedLoad } from '../../support/mixed-load.ts';
import { sleep, startOwnStack, until } from '../../support/own-stack.ts';

/** A request started this soon after the kill may still reach the dying process. */
const IN_FLIGHT_MS = 500;

test('the only write-API server killed under load: writes go on through the web pool', async (t) => {
  const stack = await startOwnStack(t);
  const load = await startMixedLoad(t, {
    entry: stack.info.entry ?? '',
    ca: stack.ca,
    mix: { feed: 1, read: 1, write: 4, cart: 1 },
  });
  await sleep(3000);
  // Killed the hard way through the runner, so its supervisor keeps it down for the drill (a plain
  // kill -9 is restarted within seconds: test/integration/runner/supervision.test.ts).
  const faultAt = load.now();
  await stopService(stack.stackFile, 'write-api-1', { signal: 'SIGKILL' });
  await sleep(10_000);
  const whileDead = figures(load.outcomes, faultAt);
  const writesWhileDead = load.outcomes.filter(
    (o) => o.kind === 'write' && o.at > faultAt + IN_FLIGHT_MS,
  );
  await startService(stack.stackFile, 'write-api-1');
  const writeApi = async () => (await stack.stats()).pools.find((p) => p.name === 'write-api');
  await until(async () => (await writeApi())?.backends[0]?.up === true, 20_000, 'back in rotation');
  await sleep(2000);
  const f = figures(await load.stop(), faultAt);
  t.diagnostic(`drill 2 (write-api-1 killed, 10 s): ${JSON.stringify(whileDead)}`);
  t.diagnostic(`drill 2 until it was back: ${JSON.stringify(f)}`);
  const late = load.outcomes.filter(
    (o) => o.at > faultAt + IN_FLIGHT_MS && (o.status === 0 || o.status >= 500),
  );
  assert.deepEqual(late, [], 'only requests already sent to the dead process may fail');
  assert.ok(
    writesWhileDead.filter((o) => o.status === 201).length >= 10,
    `writes succeed while it is dead (${writesWhileDead.length} sent)`,
  );
  assert.ok(f.failed <= 6, `at most one request in flight per user fails (${f.failed})`);
});
