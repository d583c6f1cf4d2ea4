/**
 * The CI subset of `make drill`: short versions (half the hold and observe times) of a few drills
 * from the catalog, run by the product's drill runner against a stack of this test's own (faults
 * must not disturb the shared stack): the product's defaults plus FAULT_PROXY=on, which only puts
 * the fault proxy between the app and its stores, so a slow dependency can be drilled too (the
 * front-door drills cover the same faults without it). Each must pass its RELIABILITY.md checks,
 * and its ledger must find every acknowledged write exactly once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent } from 'undici';
import { drillNamed } from '../../../loadtest/drills/catalog/index.ts';
import { formatResult } from '../../../loadtest/drills/report.ts';
import { runDrill } from '../../../loadtest/drills/run-drill.ts';
import { createAccounts } from '../../../loadtest/mixed-load/accounts.ts';
import { startOwnStack } from '../../support/own-stack.ts';

const CI_DRILLS = ['memcached-blackhole', 'replica-pause', 'redis-pause', 'primary-kill'];

test('the CI drills pass on a stack of the product defaults behind the fault proxy', async (t) => {
  const stack = await startOwnStack(t, { FAULT_PROXY: 'on' });
  const entry = stack.info.entry ?? '';
  const dispatcher = new Agent({ connect: { ca: stack.ca } });
  const accounts = await createAccounts(entry, dispatcher, 4).finally(() => dispatcher.close());
  for (const name of CI_DRILLS) {
    const result = await runDrill({ stack: stack.info, ca: stack.ca, accounts }, drillNamed(name), {
      warmMs: 2000,
      scale: 0.5,
    });
    t.diagnostic(formatResult(result));
    assert.equal(result.skipped, undefined, `${name} runs on this stack`);
    assert.ok((result.figures?.requests ?? 0) > 50, `${name}: a real load ran`);
    assert.equal(result.ledger?.ok, true, `${name}: the ledger holds`);
    assert.ok(result.pass, `${name} passes:\n${formatResult(result)}`);
  }
});
