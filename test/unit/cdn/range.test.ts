import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notModified, rangeApplies } from '../../../services/cdn/http/conditional.ts';
import { MAX_RANGES, parseRange } from '../../../services/cdn/http/range.ts';

test('Range parsing against a 1000-byte object', () => {
  const cases: [string | undefined, ReturnType<typeof parseRange>][] = [
    [undefined, { kind: 'none' }],
    ['bytes=0-99', { kind: 'ranges', ranges: [{ start: 0, end: 99 }] }],
    ['bytes=900-', { kind: 'ranges', ranges: [{ start: 900, end: 999 }] }],
    ['bytes=-100', { kind: 'ranges', ranges: [{ start: 900, end: 999 }] }],
    ['bytes=-5000', { kind: 'ranges', ranges: [{ start: 0, end: 999 }] }],
    ['bytes=990-5000', { kind: 'ranges', ranges: [{ start: 990, end: 999 }] }],
    ['BYTES = 0-0', { kind: 'ranges', ranges: [{ start: 0, end: 0 }] }],
    [
      'bytes=0-9, 20-29',
      {
        kind: 'ranges',
        ranges: [
          { start: 0, end: 9 },
          { start: 20, end: 29 },
        ],
      },
    ],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=1000-1001, 2000-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=0-9, 5-19', { kind: 'unsatisfiable' }],
    ['bytes=5-1', { kind: 'none' }],
    ['bytes=abc', { kind: 'none' }],
    ['bytes=-', { kind: 'none' }],
    ['items=0-1', { kind: 'none' }],
    ['bytes=', { kind: 'none' }],
    ['bytes=0-1000000000000000000000', { kind: 'none' }],
  ];
  for (const [header, expected] of cases)
    assert.deepEqual(parseRange(header, 1000), expected, String(header));
});

test('too many ranges are refused rather than amplified; an empty object has no ranges', () => {
  const many = `bytes=${Array.from({ length: MAX_RANGES + 1 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',')}`;
  assert.deepEqual(parseRange(many, 10_000), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=-1', 0), { kind: 'unsatisfiable' });
});

test('conditionals: If-None-Match first, weak comparison, lists and *; else If-Modified-Since', () => {
  const v = { etag: '"abc"', lastModified: new Date('2026-01-01T00:00:00.500Z') };
  assert.equal(notModified('"abc"', undefined, v), true);
  assert.equal(notModified('W/"abc"', undefined, v), true);
  assert.equal(notModified('"x", "abc"', undefined, v), true);
  assert.equal(notModified('*', undefined, v), true);
  assert.equal(notModified('"other"', 'Thu, 01 Jan 2099 00:00:00 GMT', v), false, 'INM wins');
  assert.equal(notModified(undefined, 'Thu, 01 Jan 2026 00:00:00 GMT', v), true, 'same second');
  assert.equal(notModified(undefined, 'Wed, 31 Dec 2025 23:59:59 GMT', v), false);
  assert.equal(notModified(undefined, 'not a date', v), false);
  assert.equal(notModified(undefined, undefined, v), false);
  assert.equal(notModified('"abc"', undefined, { etag: '', lastModified: undefined }), false);
});

test('If-Range: a strong ETag match or the exact date lets the range apply', () => {
  const v = { etag: '"abc"', lastModified: new Date('2026-01-01T00:00:00Z') };
  assert.equal(rangeApplies(undefined, v), true);
  assert.equal(rangeApplies('"abc"', v), true);
  assert.equal(rangeApplies('"old"', v), false);
  assert.equal(rangeApplies('W/"abc"', v), false, 'weak tags never match for ranges');
  assert.equal(rangeApplies('Thu, 01 Jan 2026 00:00:00 GMT', v), true);
  assert.equal(rangeApplies('Fri, 02 Jan 2026 00:00:00 GMT', v), false);
});
