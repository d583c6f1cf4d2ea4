import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatShardList,
  movedMap,
  parseServer,
  parseShardList,
  planReshard,
} from '../../../services/shared/shard/reshard-plan.ts';
import { evenShardMap } from '../../../services/shared/shard/shard-map.ts';

test('shard lists: numbers and ranges, sorted and distinct; bad ones say why', () => {
  assert.deepEqual(parseShardList('3, 0-2,2'), [0, 1, 2, 3]);
  assert.equal(formatShardList([0, 1, 2, 5, 7, 8]), '0-2,5,7-8');
  assert.match(String(parseShardList('256')), /unknown logical shard 256: there are 256/);
  assert.match(String(parseShardList('5-3')), /runs backwards/);
  assert.match(String(parseShardList('a')), /not a logical shard/);
  assert.match(String(parseShardList('')), /no logical shards given/);
});

test('servers by stack name, short name or number; unknown ones refused', () => {
  assert.equal(parseServer('mysql-shard-2', 2), 1);
  assert.equal(parseServer('shard-1', 2), 0);
  assert.equal(parseServer('2', 3), 1);
  assert.match(String(parseServer('mysql-shard-3', 2)), /unknown shard server .* mysql-shard-1..2/);
  assert.match(String(parseServer('mysql-primary', 2)), /unknown shard server/);
});

test('a plan has one source, a different target, and moves only the named shards', () => {
  const map = evenShardMap(2);
  const planned = planReshard('0-15', 'mysql-shard-2', map, 2);
  assert.ok('plan' in planned);
  assert.deepEqual(planned.plan, {
    shards: Array.from({ length: 16 }, (_, i) => i),
    source: 0,
    target: 1,
  });
  const after = movedMap(map, planned.plan);
  assert.equal(after.filter((s) => s === 1).length, 144);
  assert.equal(after[16], 0);
  const same = planReshard('0-15', 'mysql-shard-1', map, 2);
  assert.ok(
    'error' in same && /already on mysql-shard-1 \(the target is their source\)/.test(same.error),
  );
  const one = planReshard('4', '1', map, 2);
  assert.ok(
    'error' in one &&
      /^logical shard 4 is already on mysql-shard-1 \(the target is its source\)$/.test(one.error),
  );
  const split = planReshard('120-130', '2', map, 2);
  assert.ok('error' in split && /one server at a time/.test(split.error));
  const unknown = planReshard('300', '2', map, 2);
  assert.ok('error' in unknown && /unknown logical shard 300/.test(unknown.error));
});
