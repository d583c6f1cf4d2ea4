import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evenShardMap } from '../../../services/shared/shard/shard-map.ts';
import { describeShardMap } from '../../../services/web/sharding/describe.ts';

const servers = [
  { name: 'shard-1', replicas: [{ name: 'shard-1/replica-1', available: true }] },
  { name: 'shard-2', replicas: [{ name: 'shard-2/replica-1', available: false }] },
];

test('the even map of two servers: two ranges, half the logical shards each', () => {
  const view = describeShardMap(evenShardMap(2), servers, 'directory');
  assert.deepEqual(view.ranges, [
    { from: 0, to: 127, server: 'shard-1' },
    { from: 128, to: 255, server: 'shard-2' },
  ]);
  assert.equal(view.map, '0-127:0,128-255:1');
  assert.deepEqual(
    view.servers.map((s) => [s.name, s.logicalShards, s.replicas]),
    [
      ['shard-1', 128, servers[0]?.replicas],
      ['shard-2', 128, servers[1]?.replicas],
    ],
  );
});

test('a moved logical shard splits its range; single shards show as one', () => {
  const map = [...evenShardMap(2)];
  map[5] = 1;
  const view = describeShardMap(map, servers, 'cached');
  assert.deepEqual(view.ranges, [
    { from: 0, to: 4, server: 'shard-1' },
    { from: 5, to: 5, server: 'shard-2' },
    { from: 6, to: 127, server: 'shard-1' },
    { from: 128, to: 255, server: 'shard-2' },
  ]);
  assert.deepEqual(
    view.servers.map((s) => s.logicalShards),
    [127, 129],
  );
  assert.equal(view.source, 'cached');
});
