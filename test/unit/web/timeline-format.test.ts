import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { decodeCursor } from '../../../services/web/posts/cursor.ts';
import { newestFirst } from '../../../services/web/posts/merge.ts';
import type { Post } from '../../../services/web/posts/sql.ts';
import {
  memberOf,
  orderKey,
  pageComplete,
  postOf,
  upperBound,
} from '../../../services/web/timeline/format.ts';

const post = (ms: number, id: string): Post => ({
  id,
  userId: '1',
  username: 'u',
  body: `at ${ms} | with a bar`,
  createdAt: new Date(ms).toISOString(),
});

test('members sort by their bytes exactly as the feed orders posts (time, then id)', () => {
  const posts = [
    post(1_700_000_000_000, '9'),
    post(1_700_000_000_000, '10'),
    post(1_700_000_000_001, '2'),
    post(999, '1829154905886068737'),
    post(1_700_000_000_000, '1829154905886068737'),
  ];
  const byBytes = posts.map(memberOf).sort().reverse().map(postOf);
  const byFeed = [...posts].sort((a, b) =>
    newestFirst(
      { ms: Date.parse(a.createdAt), id: BigInt(a.id) },
      { ms: Date.parse(b.createdAt), id: BigInt(b.id) },
    ),
  );
  assert.deepEqual(byBytes, byFeed);
});

test('a member carries its post whole; foreign members are refused', () => {
  const p = post(1_700_000_000_123, '42');
  assert.deepEqual(postOf(memberOf(p)), p);
  assert.equal(postOf('not|a member'), undefined);
  assert.equal(postOf(`${orderKey(1, 1)}|{broken`), undefined);
});

test('the upper bound of a cursor excludes its post and keeps every older one', () => {
  assert.equal(upperBound(undefined), '+');
  const cursorPost = post(1_700_000_000_000, '10');
  const cursor = decodeCursor('1700000000000-10');
  assert.ok(cursor);
  const bound = upperBound(cursor).slice(1); // '(' makes it exclusive in ZREVRANGEBYLEX
  assert.ok(memberOf(cursorPost) > bound, 'the cursor post is above the bound');
  assert.ok(memberOf(post(1_700_000_000_000, '9')) < bound, 'same ms, lower id: below');
  assert.ok(memberOf(post(1_699_999_999_999, '99')) < bound, 'older: below');
  assert.ok(memberOf(post(1_700_000_000_000, '11')) > bound, 'same ms, higher id: above');
});

test('FEED: scatter by default; timeline needs shards; bad values are config errors', () => {
  assert.equal(resolveFlags({ STAGE: '6' }).feed, 'scatter');
  assert.equal(resolveFlags({ STAGE: '6', FEED: 'timeline' }).feed, 'timeline');
  assert.throws(() => resolveFlags({ STAGE: '4', FEED: 'timeline' }), /FEED=timeline needs SHARDS/);
  assert.throws(() => resolveFlags({ STAGE: '6', FEED: 'fanout' }), /FEED/);
});

test('a timeline page is the truth only above a known floor', () => {
  const keys = [orderKey(3000, 3), orderKey(2000, 2), orderKey(1000, 1)];
  assert.equal(pageComplete(keys, 3, null), false, 'no floor (Redis lost it): scatter-gather');
  assert.equal(pageComplete(keys.slice(0, 1), 3, null), false);
  assert.equal(
    pageComplete(keys.slice(0, 1), 3, ''),
    true,
    "'': the whole history, a short page ends the feed",
  );
  assert.equal(pageComplete([], 3, ''), true);
  assert.equal(pageComplete(keys, 3, orderKey(1000, 1)), true, 'full, oldest at the floor');
  assert.equal(pageComplete(keys, 3, orderKey(1500, 7)), false, 'full but reaches below the floor');
  assert.equal(
    pageComplete(keys.slice(0, 2), 3, orderKey(1000, 1)),
    false,
    'short: reached the floor',
  );
  assert.equal(pageComplete([], 3, orderKey(1000, 1)), false, 'an emptied timeline is not the end');
});
