import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LedgerEntry } from '../../../loadtest/ledger/ledger.ts';
import { Ledger } from '../../../loadtest/ledger/ledger.ts';
import { type Found, judgeLedger } from '../../../loadtest/ledger/verdict.ts';

const attempt = (status: number) => ({ at: 0, ms: 5, status, code: '' });

function post(key: string, statuses: number[], id?: string): LedgerEntry {
  return {
    key,
    kind: 'post',
    user: 'u',
    body: `drill post ${key}`,
    attempts: statuses.map(attempt),
    ...(id === undefined ? {} : { id }),
  };
}

const nothing: Found = {
  posts: new Map(),
  keys: new Map(),
  media: new Map(),
  unreadable: new Map(),
  queued: false,
};

test('an acknowledged post found once with its id is clean', () => {
  const v = judgeLedger([post('a', [201], '7')], {
    ...nothing,
    posts: new Map([['drill post a', ['7']]]),
    keys: new Map([['a', 1]]),
  });
  assert.equal(v.ok, true);
  assert.equal(v.acknowledged, 1);
});

test('an acknowledged post missing from the primary is a loss', () => {
  const v = judgeLedger([post('a', [503, 201], '7')], nothing);
  assert.equal(v.ok, false);
  assert.deepEqual(v.lost, ['post a: answered 503→201']);
});

test('a write stored twice is a duplicate, acknowledged or not', () => {
  const found = { ...nothing, posts: new Map([['drill post a', ['7', '8']]]) };
  assert.equal(judgeLedger([post('a', [201], '7')], found).duplicated.length, 1);
  assert.equal(judgeLedger([post('a', [0, 0, 0])], found).duplicated.length, 1);
});

test('an unacknowledged write may have committed once (its answer was lost)', () => {
  const v = judgeLedger([post('a', [0, 503])], {
    ...nothing,
    posts: new Map([['drill post a', ['9']]]),
  });
  assert.equal(v.ok, true);
  assert.equal(v.committedUnacknowledged, 1);
  assert.equal(judgeLedger([post('b', [0])], nothing).ok, true);
});

test('the stored row must be the one the answer named', () => {
  const v = judgeLedger([post('a', [201], '7')], {
    ...nothing,
    posts: new Map([['drill post a', ['8']]]),
  });
  assert.deepEqual(v.wrongId, ['post a: answered id 7, stored 8']);
});

test('uploads: unreadable originals and, when queued, thumbnails are checked', () => {
  const upload: LedgerEntry = {
    key: 'u1',
    kind: 'upload',
    user: 'u',
    sha256: 'abc',
    attempts: [attempt(202)],
    id: '3',
  };
  const media = (status: string, thumbnails: number) =>
    new Map([['abc', [{ id: '3', status, thumbnails, sizes: 3 }]]]);
  const queued = { ...nothing, queued: true };
  assert.equal(judgeLedger([upload], { ...queued, media: media('ready', 3) }).ok, true);
  assert.equal(
    judgeLedger([upload], { ...queued, media: media('pending', 0) }).thumbnails.length,
    1,
  );
  assert.equal(judgeLedger([upload], { ...queued, media: media('ready', 6) }).thumbnails.length, 1);
  assert.equal(judgeLedger([upload], { ...nothing, media: media('pending', 0) }).ok, true);
  const unreadable = new Map([['u1', 'GET /files/x: 404']]);
  assert.deepEqual(
    judgeLedger([upload], { ...nothing, media: media('ready', 0), unreadable }).unreadable,
    ['upload u1: GET /files/x: 404'],
  );
  // Only the edge failed and the store holds the bytes: reported apart, not a loss.
  const edgeOnly = new Map([['u1', 'GET https://cdn/x: 504; byte-identical in the store']]);
  const edge = judgeLedger([upload], { ...nothing, media: media('ready', 0), edgeOnly });
  assert.equal(edge.ok, true);
  assert.deepEqual(edge.edgeOnly, [
    'upload u1: GET https://cdn/x: 504; byte-identical in the store',
  ]);
});

test('the ledger records attempts and the returned id', () => {
  const ledger = new Ledger();
  const e = ledger.open({ key: 'k', kind: 'post', user: 'u', body: 'b' });
  ledger.record(e, attempt(503));
  assert.equal(ledger.acknowledged().length, 0);
  ledger.record(e, attempt(201), { id: '4' });
  assert.equal(ledger.acknowledged('post').length, 1);
  assert.equal(e.id, '4');
  assert.equal(e.attempts.length, 2);
});
