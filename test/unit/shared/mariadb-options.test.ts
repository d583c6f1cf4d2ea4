// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are compose's ${VAR} syntax, not templates
/** MariaDB options that follow the flags: the runner's values and compose's interpolations agree. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import {
  composeMariadbOptions,
  nativeMariadbOptions,
} from '../../../services/shared/topology/mariadb-options.ts';

test('DB_QUERY_CACHE reaches every MariaDB server natively, off by default', () => {
  const off = resolveFlags({ STAGE: '4' });
  const on = resolveFlags({ STAGE: '4', DB_QUERY_CACHE: 'on' });
  const semisyncOff = ['--rpl-semi-sync-master-enabled=off', '--rpl-semi-sync-slave-enabled=off'];
  assert.deepEqual(nativeMariadbOptions(off, 'mysql-replica'), [
    '--query-cache-type=off',
    ...semisyncOff,
  ]);
  const onOptions = ['--query-cache-type=on', ...semisyncOff, '--query-cache-size=33554432'];
  assert.deepEqual(nativeMariadbOptions(on, 'mysql-replica'), onOptions);
  assert.deepEqual(nativeMariadbOptions(on, 'mysql-primary'), onOptions);
  assert.deepEqual(nativeMariadbOptions(on, 'web'), []);
});

test('DB_SEMISYNC switches both sides of semi-sync on the primary and the replicas, off by default', () => {
  const on = resolveFlags({ STAGE: '4', DB_SEMISYNC: 'on' });
  const semisyncOn = ['--rpl-semi-sync-master-enabled=on', '--rpl-semi-sync-slave-enabled=on'];
  for (const kind of ['mysql-primary', 'mysql-replica'] as const)
    assert.deepEqual(nativeMariadbOptions(on, kind), ['--query-cache-type=off', ...semisyncOn]);
  // A shard server has no replica to wait for.
  assert.deepEqual(nativeMariadbOptions(on, 'mysql-shard'), ['--query-cache-type=off']);
  assert.equal(resolveFlags({ STAGE: '4' }).dbSemisync, 'off');
});

test('DB_SEMISYNC=on without a replica is a config error naming both variables', () => {
  assert.throws(
    () => resolveFlags({ STAGE: '2', DB_SEMISYNC: 'on' }),
    /DB_SEMISYNC=on needs DB_REPLICAS/,
  );
});

test('compose writes the same options with the flag interpolated', () => {
  assert.deepEqual(composeMariadbOptions('mysql-primary'), [
    '--query-cache-type=${DB_QUERY_CACHE:-off}',
    '--rpl-semi-sync-master-enabled=${DB_SEMISYNC:-off}',
    '--rpl-semi-sync-slave-enabled=${DB_SEMISYNC:-off}',
  ]);
  assert.deepEqual(composeMariadbOptions('redis'), []);
});

test('a bad DB_QUERY_CACHE is a config error naming it', () => {
  assert.throws(() => resolveFlags({ DB_QUERY_CACHE: 'yes' }), /DB_QUERY_CACHE="yes"/);
});
