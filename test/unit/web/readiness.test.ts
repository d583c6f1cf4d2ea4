import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../services/shared/config/env.ts';
import { LB_HEALTH_DEFAULTS, noticeTimeMs } from '../../../services/shared/lb-health.ts';
import { loadWebConfig } from '../../../services/web/config.ts';
import { isReady } from '../../../services/web/plugins/health.ts';

const all = {
  'db:primary': 'up',
  'db:replica-1': 'up',
  'db:replica-2': 'up',
  redis: 'up',
} as const;

const table: [string, 'all' | 'read' | 'write', Record<string, 'up' | 'down'>, boolean][] = [
  ['everything up', 'all', all, true],
  ['a replica down: optional', 'all', { ...all, 'db:replica-1': 'down' }, true],
  ['a replica down, read API', 'read', { ...all, 'db:replica-1': 'down' }, true],
  ['primary down: reads go on from replicas', 'all', { ...all, 'db:primary': 'down' }, true],
  ['primary down, read API', 'read', { ...all, 'db:primary': 'down' }, true],
  ['primary down, write API: cannot do its job', 'write', { ...all, 'db:primary': 'down' }, false],
  [
    'replicas down, write API',
    'write',
    { ...all, 'db:replica-1': 'down', 'db:replica-2': 'down' },
    true,
  ],
  ['Redis down: optional', 'all', { ...all, redis: 'down' }, true],
  [
    'every database down',
    'read',
    { 'db:primary': 'down', 'db:replica-1': 'down', 'db:replica-2': 'down', redis: 'up' },
    false,
  ],
];
for (const [name, role, states, ready] of table) {
  test(`ready (${role}): ${name} → ${ready}`, () => assert.equal(isReady(role, states), ready));
}

const base = { MYSQL_PRIMARY: '127.0.0.11:8306', MYSQL_PASSWORD: 'pw', STAGE: '1' };

test('draining is on by default, longer than the LB needs to notice, inside the grace period', () => {
  const config = loadWebConfig(base);
  assert.equal(config.DRAIN_DELAY_MS, noticeTimeMs(LB_HEALTH_DEFAULTS));
  assert.ok(config.DRAIN_DELAY_MS > LB_HEALTH_DEFAULTS.intervalMs * LB_HEALTH_DEFAULTS.fall);
  assert.ok(config.SHUTDOWN_GRACE_MS > config.DRAIN_DELAY_MS);
  assert.throws(
    () => loadWebConfig({ ...base, DRAIN_DELAY_MS: '8000', SHUTDOWN_GRACE_MS: '5000' }),
    (e: unknown) =>
      e instanceof ConfigError && /SHUTDOWN_GRACE_MS must exceed DRAIN_DELAY_MS/.test(e.message),
  );
});
