import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootInitSql } from '../../../runner/host/mariadb-init.ts';

test('the init file sets the root account for loopback, outside the binlog, idempotently', () => {
  const sql = rootInitSql('0123456789abcdef0123');
  const lines = sql.trim().split('\n');
  assert.equal(lines[0], 'SET SESSION sql_log_bin = 0;');
  assert.match(
    sql,
    /CREATE USER IF NOT EXISTS 'root'@'127\.%' IDENTIFIED BY '0123456789abcdef0123';/,
  );
  assert.match(sql, /ALTER USER 'root'@'127\.%' IDENTIFIED BY '0123456789abcdef0123';/);
  assert.match(sql, /GRANT ALL PRIVILEGES ON \*\.\* TO 'root'@'127\.%' WITH GRANT OPTION;/);
});

test('a password that is not plain letters and digits is refused, never quoted', () => {
  for (const bad of ["abc'; DROP USER root; --", 'short', 'with space 0123456789'])
    assert.throws(() => rootInitSql(bad), /letters or digits/);
});
