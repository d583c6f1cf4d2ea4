import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deleteByKeys,
  MOVED_TABLES,
  selectBatch,
  upsertRows,
} from '../../../scripts/reshard/tables.ts';
import { composeId } from '../../../services/shared/shard/ids.ts';

const table = (name: string) => {
  const t = MOVED_TABLES.find((x) => x.name === name);
  assert.ok(t);
  return t;
};

test('parents are copied before their children', () => {
  assert.deepEqual(
    MOVED_TABLES.map((t) => t.name),
    ['users', 'posts', 'orders', 'order_items', 'idempotency_keys'],
  );
});

test('a batch selects the shards by the id bits, after the last key, recent rows by id range', () => {
  const since = Date.UTC(2026, 10, 28);
  const q = selectBatch(table('order_items'), [3, 4], {
    limit: 100,
    from: ['77', 'BOOK-001'],
    sinceMs: since,
  });
  assert.equal(
    q.sql,
    'SELECT * FROM order_items WHERE ((order_id >> 10) & 8191) IN (3, 4) AND order_id >= ? AND (order_id > ? OR (order_id = ? AND sku > ?)) ORDER BY order_id, sku LIMIT 100',
  );
  assert.deepEqual(q.params, [
    composeId({ ms: since, shard: 0, sequence: 0 }).toString(),
    '77',
    '77',
    'BOOK-001',
  ]);
  const keys = selectBatch(table('idempotency_keys'), [9], {
    limit: 5,
    keysOnly: true,
    sinceMs: 2000,
  });
  assert.match(keys.sql, /^SELECT scope, idem_key FROM idempotency_keys WHERE IF\(scope LIKE/);
  assert.match(keys.sql, /created_at >= FROM_UNIXTIME\(\?\)/);
  assert.deepEqual(keys.params, [2]);
});

test('the logical shard expression matches the id layout', () => {
  // Evaluate the SQL expression's arithmetic in JS for a composed id.
  const id = composeId({ ms: Date.UTC(2026, 0, 1), shard: 200, sequence: 1023 });
  assert.equal(Number((id >> 10n) & 8191n), 200);
  assert.equal(table('posts').shardOf, '((id >> 10) & 8191)');
});

test('upserts overwrite every non-key column; deletes name whole keys', () => {
  const up = upsertRows(table('posts'), [
    { id: '5', user_id: '1', body: 'a', created_at: 'x' },
    { id: '6', user_id: '1', body: 'b', created_at: 'y' },
  ]);
  assert.equal(
    up.sql,
    'INSERT INTO posts (id, user_id, body, created_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?) ON DUPLICATE KEY UPDATE user_id = VALUES(user_id), body = VALUES(body), created_at = VALUES(created_at)',
  );
  assert.equal(up.params.length, 8);
  const del = deleteByKeys(table('idempotency_keys'), [{ scope: 's', idem_key: 'k' }]);
  assert.equal(del.sql, 'DELETE FROM idempotency_keys WHERE (scope, idem_key) IN ((?, ?))');
  assert.deepEqual(del.params, ['s', 'k']);
});
