/** Setup sizes the query cache only with DB_QUERY_CACHE=on and only when the size differs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planQueryCache } from '../../../services/setup/query-cache.ts';
import { QUERY_CACHE_BYTES } from '../../../services/shared/topology/mariadb-options.ts';

test('off: nothing, whatever the size', () => {
  assert.deepEqual(planQueryCache('off', 1048576), []);
});

test('on: the size when it differs, nothing once it is right', () => {
  const plan = planQueryCache('on', 1048576);
  assert.equal(plan.length, 1);
  assert.equal(plan[0]?.sql, 'SET GLOBAL query_cache_size = ?');
  assert.deepEqual(plan[0]?.params, [QUERY_CACHE_BYTES]);
  assert.deepEqual(planQueryCache('on', QUERY_CACHE_BYTES), []);
});
