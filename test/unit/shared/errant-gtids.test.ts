/** make rejoin: an old primary's errant transactions and where it resumes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errantRanges } from '../../../services/shared/db/promotion/errant.ts';

test('no errant transactions when the writer has everything the old primary wrote', () => {
  assert.deepEqual(errantRanges('0-1-120', '0-1-120,0-2-140'), []);
});

test('the old primary wrote 121..125 that never reached the new writer', () => {
  const errant = errantRanges('0-1-125', '0-1-120,0-2-160');
  assert.deepEqual(errant, [{ domain: 0, serverId: 1, from: 121, to: 125 }]);
});

test('a server id the writer never saw is errant from 1', () => {
  assert.deepEqual(errantRanges('0-1-10,1-9-3', '0-1-10'), [
    { domain: 1, serverId: 9, from: 1, to: 3 },
  ]);
});
