import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCursor, encodeCursor } from '../../../services/web/posts/cursor.ts';
import { type Keyed, mergeNewest, newestFirst } from '../../../services/web/posts/merge.ts';

const item = (ms: number, id: number): Keyed => ({ ms, id: BigInt(id) });
const key = (k: Keyed) => k;

test('the k-way merge keeps the newest items of every list, in order', () => {
  const a = [item(90, 9), item(50, 5), item(10, 1)];
  const b = [item(80, 8), item(70, 7)];
  const c: Keyed[] = [];
  const d = [item(90, 3), item(60, 6)];
  const merged = mergeNewest([a, b, c, d], 4, key);
  assert.deepEqual(merged, [item(90, 9), item(90, 3), item(80, 8), item(70, 7)]);
  assert.equal(mergeNewest([a, b, c, d], 100, key).length, 7, 'runs out of input');
  assert.deepEqual(mergeNewest([], 5, key), []);
});

test('paging a merge with a cursor visits every item once, in the one-database order', () => {
  // Three "shards" of random items with ties on the timestamp: a shard answers the `limit` newest
  // items before the cursor (as its SQL does), and the next cursor is the page's last item.
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const shards = [0, 1, 2].map((s) =>
    Array.from({ length: 37 + s * 11 }, (_, i) =>
      item(Math.floor(random() * 40), s * 1000 + i),
    ).sort(newestFirst),
  );
  const all = shards.flat().sort(newestFirst);
  const seen: Keyed[] = [];
  let before: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const cursor = decodeCursor(before);
    const after = (k: Keyed) =>
      cursor === undefined || newestFirst(k, { ms: cursor.createdAt.getTime(), id: cursor.id }) > 0;
    const page = mergeNewest(
      shards.map((list) => list.filter(after).slice(0, 10)),
      10,
      key,
    );
    seen.push(...page);
    const last = page.at(-1);
    if (page.length < 10 || last === undefined) break;
    before = encodeCursor({ createdAt: new Date(last.ms), id: last.id });
  }
  assert.deepEqual(seen, all);
});
