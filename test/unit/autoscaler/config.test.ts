import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadAutoscalerConfig } from '../../../services/autoscaler/config.ts';
import { ConfigError } from '../../../services/shared/config/env.ts';

const OK = { AUTOSCALE_ACTUATOR: 'runner:/tmp/s/runner.sock' };

test('defaults: inflight target 4 per server, 1–4 servers, fast out and slow in', () => {
  const c = loadAutoscalerConfig(OK);
  assert.equal(c.metric, 'inflight');
  assert.deepEqual(c.actuator, { kind: 'runner', path: '/tmp/s/runner.sock' });
  assert.deepEqual([c.policy.min, c.policy.max, c.policy.target], [1, 4, 4]);
  assert.ok(c.policy.scaleOutCooldownMs < c.policy.scaleInCooldownMs);
  // The product defaults the integration test shortens (scale-in wait) and keeps (the rest).
  assert.deepEqual(
    [c.policy.stabilisationMs, c.policy.scaleInCooldownMs, c.policy.scaleOutCooldownMs],
    [120_000, 60_000, 10_000],
  );
  assert.deepEqual([c.policy.tolerance, c.policy.maxStep, c.intervalMs], [0.1, 2, 2000]);
  assert.deepEqual([c.enabled, c.boxCpus], [false, 1], 'AUTOSCALE and BOX_CPUS from the flags');
});

test('bad settings are configuration errors naming the variable', () => {
  const table: [Record<string, string>, RegExp][] = [
    [
      { AUTOSCALE_MIN: '5', AUTOSCALE_MAX: '2' },
      /AUTOSCALE_MIN \(5\) must not exceed AUTOSCALE_MAX/,
    ],
    [{ AUTOSCALE_TARGET: '0' }, /AUTOSCALE_TARGET must be above 0/],
    [{ AUTOSCALE_TARGET: '-3' }, /AUTOSCALE_TARGET/],
    [{ AUTOSCALE_METRIC: 'latency-p42' }, /AUTOSCALE_METRIC=latency-p42 is not a metric/],
    [{ AUTOSCALE_MAX: 'many' }, /AUTOSCALE_MAX/],
    [{ AUTOSCALE_ACTUATOR: 'kubectl' }, /AUTOSCALE_ACTUATOR/],
  ];
  for (const [env, message] of table)
    assert.throws(
      () => loadAutoscalerConfig({ ...OK, ...env }),
      (e: unknown) => e instanceof ConfigError && message.test(e.message),
      JSON.stringify(env),
    );
  assert.throws(() => loadAutoscalerConfig({}), /AUTOSCALE_ACTUATOR is required/);
});
