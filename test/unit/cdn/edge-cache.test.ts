import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CachedObject } from '../../../services/cdn/cache/entry.ts';
import { ByteLru } from '../../../services/cdn/cache/lru.ts';
import { EdgeCache } from '../../../services/cdn/edge/edge-cache.ts';
import { OriginError, type OriginResult } from '../../../services/cdn/origin/origin.ts';

const KEY = 'media/0f8fad5b-d9cb-469f-a165-70867728950e/original.png';

function setup(cacheControl?: string) {
  let now = 1_000_000;
  const calls: (string | undefined)[] = [];
  let next: () => Promise<OriginResult> = async () => ({
    kind: 'found',
    object: {
      body: Buffer.from('png'),
      contentType: 'image/png',
      etag: '"e1"',
      lastModified: undefined,
      cacheControl,
    },
  });
  const lru = new ByteLru<CachedObject>(1 << 20);
  const cache = new EdgeCache({
    lru,
    fetch: (_key, etag) => {
      calls.push(etag);
      return next();
    },
    defaults: { ttlSeconds: 60, staleIfErrorSeconds: 30 },
    now: () => now,
  });
  return {
    cache,
    lru,
    calls,
    advance: (s: number) => {
      now += s * 1000;
    },
    answer: (f: () => Promise<OriginResult>) => {
      next = f;
    },
  };
}

test('concurrent misses for one key cost one origin fetch; then hits', async () => {
  const s = setup();
  const results = await Promise.all(Array.from({ length: 20 }, () => s.cache.lookup(KEY)));
  assert.equal(s.calls.length, 1);
  assert.ok(results.every((r) => r.kind === 'object' && r.state === 'MISS'));
  const again = await s.cache.lookup(KEY);
  assert.equal(again.kind === 'object' && again.state, 'HIT');
  assert.equal(s.calls.length, 1);
});

test('a stale entry revalidates with its ETag; a 304 makes it fresh again', async () => {
  const s = setup();
  await s.cache.lookup(KEY);
  s.advance(61);
  s.answer(async () => ({ kind: 'not-modified' }));
  const r = await s.cache.lookup(KEY);
  assert.deepEqual(s.calls, [undefined, '"e1"']);
  assert.equal(r.kind === 'object' && r.state, 'HIT');
  assert.equal(r.kind === 'object' && r.object.storedAt, 1_061_000);
});

test('origin failure: stale within stale-if-error answers, beyond it the error surfaces', async () => {
  const s = setup();
  await s.cache.lookup(KEY);
  s.answer(async () => {
    throw new OriginError('timeout', 'slow');
  });
  s.advance(70); // 10 s stale, window 30 s
  const stale = await s.cache.lookup(KEY);
  assert.equal(stale.kind === 'object' && stale.state, 'STALE');
  s.advance(25); // 35 s stale
  await assert.rejects(s.cache.lookup(KEY), OriginError);
});

test('private objects are refused and not stored; no-store passes uncached', async () => {
  const priv = setup('private, max-age=60');
  assert.deepEqual(await priv.cache.lookup(KEY), { kind: 'private' });
  assert.equal(priv.lru.stats().entries, 0);
  const pass = setup('no-store');
  await pass.cache.lookup(KEY);
  await pass.cache.lookup(KEY);
  assert.equal(pass.calls.length, 2);
});

test('a fetch that started before a purge answers its callers but stores nothing', async () => {
  const s = setup();
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  s.answer(async () => {
    await gate;
    return {
      kind: 'found',
      object: {
        body: Buffer.from('old'),
        contentType: 'image/png',
        etag: '"old"',
        lastModified: undefined,
        cacheControl: undefined,
      },
    };
  });
  const pending = s.cache.lookup(KEY);
  s.cache.purge([], ['media/0f8fad5b-d9cb-469f-a165-70867728950e/']);
  release();
  const r = await pending;
  assert.equal(r.kind, 'object');
  assert.equal(s.lru.stats().entries, 0, 'the old copy was not stored after the purge');
});
