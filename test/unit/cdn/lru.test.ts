import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteLru } from '../../../services/cdn/cache/lru.ts';

const item = (size: number) => ({ size });

test('the LRU counts bytes and evicts the least recently used first', () => {
  const lru = new ByteLru<{ size: number }>(100);
  lru.set('a', item(40));
  lru.set('b', item(40));
  assert.deepEqual(lru.stats(), { entries: 2, bytes: 80, maxBytes: 100, evictions: 0 });
  lru.get('a'); // a becomes the most recent: b is now the oldest
  lru.set('c', item(30));
  assert.deepEqual(lru.keys(), ['a', 'c']);
  assert.deepEqual(lru.stats(), { entries: 2, bytes: 70, maxBytes: 100, evictions: 1 });
});

test('peek does not change recency; replacing a key re-counts its bytes', () => {
  const lru = new ByteLru<{ size: number }>(100);
  lru.set('a', item(50));
  lru.set('b', item(10));
  lru.peek('a');
  lru.set('a', item(20));
  assert.equal(lru.stats().bytes, 30);
  assert.deepEqual(lru.keys(), ['b', 'a']);
  lru.set('c', item(80)); // 30 + 80 > 100: the oldest, b, goes; a stays
  assert.deepEqual(lru.keys(), ['a', 'c']);
  assert.equal(lru.stats().bytes, 100);
  lru.set('d', item(90)); // both a and c must go
  assert.deepEqual(lru.keys(), ['d']);
  assert.deepEqual(lru.stats(), { entries: 1, bytes: 90, maxBytes: 100, evictions: 3 });
});

test('an entry larger than the budget is refused and evicts nothing', () => {
  const lru = new ByteLru<{ size: number }>(100);
  lru.set('a', item(60));
  assert.equal(lru.set('huge', item(101)), false);
  assert.deepEqual(lru.keys(), ['a']);
  assert.equal(lru.set('exact', item(100)), true);
  assert.deepEqual(lru.keys(), ['exact']);
});

test('delete and deletePrefix keep the byte count exact', () => {
  const lru = new ByteLru<{ size: number }>(1000);
  for (const k of ['media/a/original.png', 'media/a/thumbnail-256.webp', 'media/b/original.png'])
    lru.set(k, item(100));
  assert.equal(lru.deletePrefix('media/a/'), 2);
  assert.deepEqual(lru.stats(), { entries: 1, bytes: 100, maxBytes: 1000, evictions: 0 });
  assert.equal(lru.delete('media/b/original.png'), true);
  assert.equal(lru.delete('media/b/original.png'), false);
  assert.equal(lru.stats().bytes, 0);
});

test('sizes and budgets must be whole non-negative numbers', () => {
  assert.throws(() => new ByteLru(0), RangeError);
  const lru = new ByteLru<{ size: number }>(10);
  assert.throws(() => lru.set('a', item(-1)), RangeError);
  assert.throws(() => lru.set('a', item(1.5)), RangeError);
});
