import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  composeId,
  decomposeId,
  EPOCH_MS,
  idToJson,
  MAX_ID,
  parseId,
  SEQUENCE_BITS,
  SHARD_BITS,
  shardOfId,
} from '../../../services/shared/shard/ids.ts';
import {
  evenShardMap,
  formatShardMap,
  LOGICAL_SHARDS,
  movedShards,
  parseShardMap,
  shardMapProblems,
  shardsOn,
} from '../../../services/shared/shard/shard-map.ts';

test('an id is time | logical shard | sequence, in 41 | 13 | 10 bits', () => {
  const ms = Date.UTC(2026, 10, 28, 12, 0, 0, 123);
  const id = composeId({ ms, shard: 200, sequence: 77 });
  assert.deepEqual(decomposeId(id), { ms, shard: 200, sequence: 77 });
  assert.equal(shardOfId(id), 200);
  // The layout by hand: the bits sit where the layout says.
  const expected =
    (BigInt(ms - EPOCH_MS) << BigInt(SHARD_BITS + SEQUENCE_BITS)) |
    (200n << BigInt(SEQUENCE_BITS)) |
    77n;
  assert.equal(id, expected);
  assert.ok(id > BigInt(Number.MAX_SAFE_INTEGER), 'sharded ids pass 2^53: JSON must carry strings');
  assert.ok(id <= MAX_ID);
});

test('ids sort by time first, and the sequence wraps inside its bits', () => {
  const a = composeId({ ms: EPOCH_MS + 1000, shard: 255, sequence: 1023 });
  const b = composeId({ ms: EPOCH_MS + 1001, shard: 0, sequence: 0 });
  assert.ok(a < b);
  assert.equal(decomposeId(composeId({ ms: EPOCH_MS, shard: 1, sequence: 1024 + 5 })).sequence, 5);
  assert.throws(() => composeId({ ms: EPOCH_MS - 1, shard: 0, sequence: 0 }), RangeError);
  assert.throws(() => composeId({ ms: EPOCH_MS, shard: 1 << SHARD_BITS, sequence: 0 }), RangeError);
});

test('parseId takes decimal ids up to 2^63-1 and refuses the rest', () => {
  assert.equal(parseId('42'), 42n);
  assert.equal(parseId(42), 42n);
  assert.equal(parseId(MAX_ID.toString()), MAX_ID);
  for (const junk of ['0', '-1', '01', '1e5', ' 1', '9223372036854775808', 'abc', '', 1.5, 0, null])
    assert.equal(parseId(junk), undefined, String(junk));
});

test('idToJson keeps small ids as numbers and carries 64-bit ones as strings', () => {
  assert.equal(idToJson(42), 42);
  assert.equal(idToJson('42'), 42);
  const big = composeId({ ms: Date.now(), shard: 3, sequence: 9 });
  assert.equal(idToJson(big), big.toString());
});

test('the even map spreads 256 logical shards in contiguous ranges', () => {
  for (const n of [1, 2, 3, 4, 8]) {
    const map = evenShardMap(n);
    assert.equal(map.length, LOGICAL_SHARDS);
    assert.deepEqual(shardMapProblems(map, n), []);
    const sizes = Array.from({ length: n }, (_, s) => shardsOn(map, s).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `n=${n}: ${sizes.join(',')}`);
  }
  assert.equal(formatShardMap(evenShardMap(2)), '0-127:0,128-255:1');
  assert.equal(formatShardMap(evenShardMap(1)), '0-255:0');
});

test('the map round-trips through its text form and refuses gaps and overlaps', () => {
  const map = evenShardMap(4).map((p, l) => (l === 5 ? 3 : p));
  assert.deepEqual(parseShardMap(formatShardMap(map)), map);
  assert.equal(parseShardMap('0-127:0'), undefined, 'a gap');
  assert.equal(parseShardMap('0-128:0,128-255:1'), undefined, 'an overlap');
  assert.equal(parseShardMap('0-256:0'), undefined);
  assert.equal(parseShardMap('x'), undefined);
  assert.match(shardMapProblems(evenShardMap(4), 2).join(), /maps to server 2, but there are 2/);
});

test('movedShards names what a map change moves', () => {
  const from = evenShardMap(2);
  const to = from.map((p, l) => (l >= 192 ? 2 : p));
  assert.deepEqual(
    movedShards(from, to),
    Array.from({ length: 64 }, (_, i) => 192 + i),
  );
  assert.deepEqual(movedShards(from, from), []);
});
