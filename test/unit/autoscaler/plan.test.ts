/**
 * AUTOSCALE=on in the flags and the plan: stage 5 turns it on, AUTOSCALE_MIN/MAX are validated
 * naming the variables; natively each scaled pool gets AUTOSCALE_MAX slots (the ones above its
 * starting size standby), the LB reads it from a member file, and the autoscaler gets its reserved
 * address and the LB's admin URL; in compose it gets the Docker Engine socket.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchSpec } from '../../../runner/plan/launch-spec.ts';
import { ConfigError } from '../../../services/shared/config/env.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { memberFile, startingSize } from '../../../services/shared/topology/autoscale.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

const native = { mode: 'native', portBase: 20000, stackDir: '/st' } as const;

test('stage 5 turns AUTOSCALE on; AUTOSCALE_MIN/MAX are flags checked against each other', () => {
  assert.equal(resolveFlags({ STAGE: '5' }).autoscale, 'on');
  assert.equal(resolveFlags({ STAGE: '4' }).autoscale, 'off');
  assert.equal(resolveFlags({ STAGE: '3', AUTOSCALE: 'on' }).autoscale, 'on');
  const problems = (env: Record<string, string>) => {
    try {
      resolveFlags(env);
      return [];
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems;
    }
  };
  assert.deepEqual(problems({ AUTOSCALE_MIN: '5', AUTOSCALE_MAX: '2' }), [
    'AUTOSCALE_MIN (5) must not exceed AUTOSCALE_MAX (2)',
  ]);
  assert.match(
    problems({ AUTOSCALE_MAX: '33' })[0] ?? '',
    /^AUTOSCALE_MAX="33": expected an integer from 1 to 32/,
  );
  assert.match(problems({ AUTOSCALE_MIN: '0' })[0] ?? '', /^AUTOSCALE_MIN="0"/);
});

test('natively: AUTOSCALE_MAX slots per pool, standby above the starting size, member files for the LB', () => {
  const flags = resolveFlags({
    STAGE: '5',
    WEB_REPLICAS: '6',
    AUTOSCALE_MIN: '2',
    AUTOSCALE_MAX: '5',
  });
  assert.equal(startingSize(flags, 'web'), 5, 'WEB_REPLICAS clamped to AUTOSCALE_MAX');
  assert.equal(startingSize(flags, 'write-api'), 2, 'WRITE_API_REPLICAS=1 raised to AUTOSCALE_MIN');
  const plan = planStack(flags, native);
  const webs = plan.services.filter((s) => s.pool === 'write-api');
  assert.deepEqual(
    webs.map((s) => [s.name, s.host, s.ports.http, s.box, s.standby === true]),
    [
      ['write-api-1', '127.0.0.111', 20181, 'write-api-1', false],
      ['write-api-2', '127.0.0.112', 20182, 'write-api-2', false],
      ['write-api-3', '127.0.0.113', 20183, 'write-api-3', true],
      ['write-api-4', '127.0.0.114', 20184, 'write-api-4', true],
      ['write-api-5', '127.0.0.115', 20185, 'write-api-5', true],
    ],
  );
  const lb = plan.services.find((s) => s.kind === 'lb');
  assert.equal(
    lb?.env.LB_POOLS,
    `web=file:${memberFile('/st', 'web')};read-api=file:${memberFile('/st', 'read-api')};write-api=file:${memberFile('/st', 'write-api')}`,
  );
  assert.equal(lb?.env.LB_DNS_INTERVAL_MS, '1000');
  assert.ok(!lb?.dependsOn.includes('write-api-3'), 'the LB does not wait for standby slots');
  const a = plan.services.find((s) => s.kind === 'autoscaler');
  assert.deepEqual([a?.host, a?.ports.metrics, a?.dependsOn], ['127.0.0.25', 20270, ['lb']]);
  assert.equal(a?.env.LB_ADMIN_URL, 'http://127.0.0.1:20404');
  assert.equal(a?.env.AUTOSCALE_POOLS, 'web,read-api,write-api');
  assert.equal(a?.env.AUTOSCALE_MAX, '5');
  assert.ok(a);
  const spec = launchSpec(a, {
    repoDir: '/repo',
    stackDir: '/st',
    isRoot: false,
    node: '/usr/bin/node',
    binaries: { mariadbd: '', mariadbInstallDb: '', redisServer: '', memcached: '' },
    logLevel: 'info',
    baseEnv: {},
    autoscalerEnv: { AUTOSCALE_TARGET: '6' },
  });
  assert.deepEqual(spec.args, ['/repo/dist/services/autoscaler/server.js']);
  assert.equal(spec.env.AUTOSCALE_ACTUATOR, 'runner:/st/runner.sock');
  assert.equal(spec.env.AUTOSCALE_TARGET, '6', 'the user’s autoscaler settings reach it');
});

test('AUTOSCALE=off plans exactly the replicas, static pools and no autoscaler', () => {
  const plan = planStack(resolveFlags({ STAGE: '4', WEB_REPLICAS: '2' }), native);
  assert.equal(plan.services.filter((s) => s.pool === 'web').length, 2);
  assert.ok(!plan.services.some((s) => s.standby === true || s.kind === 'autoscaler'));
  assert.match(
    plan.services.find((s) => s.kind === 'lb')?.env.LB_POOLS ?? '',
    /^web=127\.0\.0\.31:20101,127\.0\.0\.32:20102;/,
  );
});

test('in compose the autoscaler scales through the Docker Engine socket', () => {
  const plan = planStack(resolveFlags({ STAGE: '5' }), { mode: 'compose' });
  const a = plan.services.find((s) => s.kind === 'autoscaler');
  assert.equal(a?.env.AUTOSCALE_ACTUATOR, 'docker:/var/run/docker.sock');
  assert.equal(a?.env.LB_ADMIN_URL, 'http://lb:8404');
  assert.ok(!plan.services.some((s) => s.standby === true), 'compose scales containers, no slots');
});
