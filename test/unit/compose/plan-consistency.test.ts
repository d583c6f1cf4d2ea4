import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_STAGE,
  FLAG_VARIABLE_NAMES,
  resolveFlags,
} from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';
import { coreServices, serviceIn } from '../../support/compose/context.ts';
import { COMPOSE_DOC, contextFor, DEFAULT_PLAN, planFor } from '../../support/compose/fixture.ts';
import { COMPOSE_CHECKS, KNOWN_EXTRAS } from '../../support/compose/index.ts';

const ctx = contextFor();

for (const [name, check] of Object.entries(COMPOSE_CHECKS)) {
  test(`docker-compose.yml passes "${name}" against the stage ${DEFAULT_STAGE} plan`, () => {
    assert.deepEqual(check(ctx), []);
  });
}

test('the checks see the whole stack: every planned service, and every flag on every app service', () => {
  const services = coreServices(ctx.resolved).map((s) => s.name);
  for (const s of DEFAULT_PLAN.services) assert.ok(services.includes(s.composeService), s.name);
  const apps = DEFAULT_PLAN.services.filter((s) => s.kind === 'web' || s.kind === 'lb');
  assert.deepEqual(
    apps.map((s) => s.composeService),
    ['web', 'read-api', 'write-api', 'lb'],
  );
  for (const s of apps)
    for (const flag of FLAG_VARIABLE_NAMES)
      assert.ok(flag in (serviceIn(ctx.raw, s.composeService)?.environment ?? {}), flag);
});

test('flags set in the environment reach every app service and win over the preset', () => {
  const env = { LB_ALGORITHM: 'p2c', WEB_REPLICAS: '5', STICKY: 'off', BOX_CPUS: '0.5' };
  const plan = planFor(env);
  const withEnv = contextFor(COMPOSE_DOC, { plan, env });
  for (const name of ['flag-values', 'scaling', 'environment'] as const)
    assert.deepEqual(COMPOSE_CHECKS[name]?.(withEnv), [], name);
  assert.equal(serviceIn(withEnv.resolved, 'web')?.replicas, '5');
  assert.equal(serviceIn(withEnv.resolved, 'read-api')?.cpus, '0.5');
  const lbEnv = Object.entries(serviceIn(withEnv.resolved, 'lb')?.environment ?? {});
  const lbFlags = resolveFlags(Object.fromEntries(lbEnv.map(([k, v]) => [k, v ?? undefined])));
  assert.equal(lbFlags.lbAlgorithm, 'p2c');
  assert.equal(lbFlags.sticky, 'off');
});

test('STAGE from the environment selects that preset in the services', () => {
  const env = { STAGE: '3' };
  const withEnv = contextFor(COMPOSE_DOC, { plan: planFor(env), env });
  assert.deepEqual(COMPOSE_CHECKS['flag-values']?.(withEnv), []);
  assert.equal(serviceIn(withEnv.resolved, 'web')?.environment.STAGE, '3');
});

test('memcached is a known extra only while the plan lacks it, and checked either way', () => {
  assert.deepEqual(Object.keys(KNOWN_EXTRAS), ['memcached']);
  const lacking = planStack({ ...DEFAULT_PLAN.flags, cache: 'off' }, { mode: 'compose' });
  assert.ok(!lacking.services.some((s) => s.composeService === 'memcached'));
  const extraCtx = contextFor(COMPOSE_DOC, { plan: lacking });
  const extra = extraCtx.expected.filter((s) => s.composeService === 'memcached');
  assert.equal(extra.length, 1, 'expected as an extra');
  for (const name of ['services', 'ports', 'healthcheck-port', 'runner-parity', 'internal-network'])
    assert.deepEqual(COMPOSE_CHECKS[name]?.(extraCtx), [], name);
  const planned = ctx.expected.filter((s) => s.composeService === 'memcached');
  assert.equal(planned.length, 1, 'in the plan now: expected once, not twice');
});
