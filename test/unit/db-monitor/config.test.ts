/** The db-monitor's configuration errors name the variable. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDbMonitorConfig } from '../../../services/db-monitor/config.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';

const env = {
  MYSQL_PRIMARY: '127.0.0.11:8306',
  MYSQL_REPLICAS: '127.0.0.12:8307,127.0.0.13:8308',
  MYSQL_ROOT_PASSWORD: 'root-password-1',
  MYSQL_REPLICATION_PASSWORD: 'repl-password-1',
};

test('defaults: 10 s before a failover, watching only unless DB_FAILOVER=auto, servers named in order', () => {
  const c = loadDbMonitorConfig(env);
  assert.equal(c.failoverAfterMs, 10_000);
  assert.equal(c.acts, false, 'it acts only with DB_FAILOVER=auto');
  assert.equal(loadDbMonitorConfig({ ...env, DB_FAILOVER: 'auto' }).acts, true);
  assert.deepEqual(
    c.tier.servers.map((s) => s.name),
    ['mysql-primary', 'mysql-replica-1', 'mysql-replica-2'],
  );
});

test('bad settings are errors naming the variable', () => {
  assert.throws(
    () => loadDbMonitorConfig({ ...env, DB_FAILOVER_AFTER_MS: '10' }),
    /DB_FAILOVER_AFTER_MS/,
  );
  assert.throws(() => loadDbMonitorConfig({ ...env, MYSQL_REPLICAS: '' }), /MYSQL_REPLICAS/);
  assert.throws(
    () => resolveFlags({ STAGE: '2', DB_FAILOVER: 'auto' }),
    /DB_FAILOVER=auto needs DB_REPLICAS/,
  );
  assert.throws(() => resolveFlags({ DB_FAILOVER: 'on' }), /DB_FAILOVER="on"/);
});
