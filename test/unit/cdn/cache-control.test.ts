import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  outgoingCacheControl,
  parseCacheControl,
  storagePolicy,
} from '../../../services/cdn/cache/cache-control.ts';

const defaults = { ttlSeconds: 86_400, staleIfErrorSeconds: 600 };

test('Cache-Control parsing: numbers, flags, case, quotes, duplicates and junk', () => {
  const cases: [string | undefined, Record<string, unknown>][] = [
    [undefined, {}],
    ['max-age=60', { maxAge: 60 }],
    ['Max-Age=60, S-MAXAGE="120"', { maxAge: 60, sMaxAge: 120 }],
    ['max-age=60, max-age=5', { maxAge: 60 }],
    ['max-age=-1, max-age=abc', {}],
    ['max-age=1.5', {}],
    ['public, immutable, stale-if-error=30', { public: true, immutable: true, staleIfError: 30 }],
    ['private', { private: true }],
    ['no-store,no-cache', { noStore: true, noCache: true }],
    ['proxy-revalidate', { mustRevalidate: true }],
    [' , ,x-unknown=1', {}],
  ];
  const blank = {
    noStore: false,
    noCache: false,
    private: false,
    public: false,
    immutable: false,
    mustRevalidate: false,
  };
  for (const [header, expected] of cases)
    assert.deepEqual(parseCacheControl(header), { ...blank, ...expected }, String(header));
});

test('storage policy: private is refused, no-store passes, s-maxage beats max-age beats default', () => {
  assert.deepEqual(storagePolicy('private, max-age=60', defaults), { kind: 'private' });
  assert.equal(storagePolicy('no-store', defaults).kind, 'pass');
  assert.equal(storagePolicy('no-cache', defaults).kind, 'pass');
  assert.deepEqual(storagePolicy(undefined, defaults), {
    kind: 'store',
    ttlSeconds: 86_400,
    staleIfErrorSeconds: 600,
    immutable: false,
  });
  assert.deepEqual(storagePolicy('max-age=60, s-maxage=30, immutable', defaults), {
    kind: 'store',
    ttlSeconds: 30,
    staleIfErrorSeconds: 600,
    immutable: true,
  });
  const sie = storagePolicy('max-age=1, stale-if-error=5', defaults);
  assert.ok(sie.kind === 'store' && sie.staleIfErrorSeconds === 5);
  const strict = storagePolicy('max-age=1, must-revalidate, stale-if-error=5', defaults);
  assert.ok(
    strict.kind === 'store' && strict.staleIfErrorSeconds === 0,
    'must-revalidate: never stale',
  );
});

test('the edge sends what is left of the freshness, never negative', () => {
  assert.equal(outgoingCacheControl(59.9, false), 'public, max-age=59');
  assert.equal(outgoingCacheControl(-3, true), 'public, max-age=0, immutable');
});
