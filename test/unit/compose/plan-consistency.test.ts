import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_STAGE,
  FLAG_VARIABLE_NAMES,
  resolveFlags,
} from '../../../services/shared/config/flags.ts';
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

/** Each known extra: the flags without it (the default stage) and with it. */
const EXTRA_FLAGS: Readonly<
  Record<string, readonly [Record<string, string>, Record<string, string>]>
> = {
  memcached: [{ CACHE: 'off' }, { CACHE: 'memcached' }],
  worker: [{ THUMBNAILS: 'inline' }, { THUMBNAILS: 'queue' }],
  cdn: [{ CDN: 'off' }, { CDN: 'on' }],
  autoscaler: [{ AUTOSCALE: 'off' }, { AUTOSCALE: 'on' }],
  'db-monitor': [{ DB_FAILOVER: 'off' }, { DB_FAILOVER: 'auto' }],
  'mysql-primary-2': [{ DB_TOPOLOGY: 'primary-replicas' }, { DB_TOPOLOGY: 'master-master' }],
};

test('the known extras are the services the default stage does not plan yet', () => {
  assert.deepEqual(Object.keys(KNOWN_EXTRAS).sort(), Object.keys(EXTRA_FLAGS).sort());
});

for (const [name, [off, on]] of Object.entries(EXTRA_FLAGS)) {
  test(`${name} is a known extra only while the plan lacks it, and checked either way`, () => {
    const lacking = planFor(off);
    assert.ok(!lacking.services.some((s) => s.composeService === name));
    const extraCtx = contextFor(COMPOSE_DOC, { plan: lacking, env: off });
    assert.equal(extraCtx.expected.filter((s) => s.composeService === name).length, 1, 'extra');
    const withIt = planFor(on);
    assert.equal(withIt.services.filter((s) => s.composeService === name).length, 1, 'planned');
    const onCtx = contextFor(COMPOSE_DOC, { plan: withIt, env: on });
    assert.equal(onCtx.expected.filter((s) => s.composeService === name).length, 1, 'not twice');
    for (const [check, run] of Object.entries(COMPOSE_CHECKS)) {
      assert.deepEqual(run(extraCtx), [], `${check} without ${JSON.stringify(on)}`);
      assert.deepEqual(run(onCtx), [], `${check} with ${JSON.stringify(on)}`);
    }
  });
}
