import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restrict, waves } from '../../../runner/plan/start-order.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

test('waves follow the plan: stores, then setup, then web servers, then the LB', () => {
  const plan = planStack(resolveFlags({ STAGE: '4' }), {
    mode: 'native',
    portBase: 20000,
    stackDir: '/s',
  });
  const w = waves(plan.services);
  assert.equal(w.get('mysql-primary'), 0);
  assert.equal(w.get('mysql-replica-2'), 0);
  assert.equal(w.get('redis'), 0);
  assert.equal(w.get('s3'), 0);
  assert.equal(w.get('setup'), 1);
  assert.equal(w.get('web-3'), 2);
  assert.equal(w.get('read-api-1'), 2);
  assert.equal(w.get('lb'), 3);
});

test('unknown dependencies and cycles are errors', () => {
  assert.throws(() => waves([{ name: 'a', dependsOn: ['ghost'] }]), /ghost, which is not planned/);
  assert.throws(
    () =>
      waves([
        { name: 'a', dependsOn: ['b'] },
        { name: 'b', dependsOn: ['a'] },
      ]),
    /cycle/,
  );
});

test('restricting a plan drops dependencies on what is left out', () => {
  const kept = restrict(
    [
      { name: 'db', dependsOn: [] },
      { name: 'setup', dependsOn: ['db'] },
      { name: 'web', dependsOn: ['db', 'setup'] },
      { name: 'lb', dependsOn: ['web'] },
    ],
    (n) => n.name !== 'web',
  );
  assert.deepEqual(kept, [
    { name: 'db', dependsOn: [] },
    { name: 'setup', dependsOn: ['db'] },
    { name: 'lb', dependsOn: [] },
  ]);
});
