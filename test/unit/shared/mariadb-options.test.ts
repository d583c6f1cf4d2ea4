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
  assert.deepEqual(nativeMariadbOptions(off, 'mysql-replica'), ['--query-cache-type=off']);
  const onOptions = ['--query-cache-type=on', '--query-cache-size=33554432'];
  assert.deepEqual(nativeMariadbOptions(on, 'mysql-replica'), onOptions);
  assert.deepEqual(nativeMariadbOptions(on, 'mysql-primary'), onOptions);
  assert.deepEqual(nativeMariadbOptions(on, 'web'), []);
});

test('compose writes the same options with the flag interpolated', () => {
  assert.deepEqual(composeMariadbOptions('mysql-primary'), [
    '--query-cache-type=${DB_QUERY_CACHE:-off}',
  ]);
  assert.deepEqual(composeMariadbOptions('redis'), []);
});

test('a bad DB_QUERY_CACHE is a config error naming it', () => {
  assert.throws(() => resolveFlags({ DB_QUERY_CACHE: 'yes' }), /DB_QUERY_CACHE="yes"/);
});
