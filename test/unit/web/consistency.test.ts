import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dbFailureOf } from '../../../services/shared/db/errors.ts';
import {
  formatGtid,
  gtidCovers,
  MAX_DOMAINS,
  mergeGtid,
  parseGtid,
  positionWithin,
} from '../../../services/web/consistency/gtid.ts';
import { MAX_TOKEN_CHARS, TokenSealer } from '../../../services/web/consistency/token.ts';

const gtid = (text: string) => {
  const parsed = parseGtid(text);
  assert.ok(parsed !== undefined, text);
  return parsed;
};

test('GTID lists: parsed, bounded, normalised', () => {
  const cases: [string, string | undefined][] = [
    ['', ''],
    ['0-1-5', '0-1-5'],
    [' 1-2-7 , 0-1-5 ', '0-1-5,1-2-7'],
    ['0-1-18446744073709551615', '0-1-18446744073709551615'],
    ['0-1-18446744073709551616', undefined],
    ['4294967296-1-1', undefined],
    ['0-1-5,0-2-6', undefined],
    ['0-1', undefined],
    ['0-1-x', undefined],
    ['-1-1-1', undefined],
    [Array.from({ length: MAX_DOMAINS + 1 }, (_, i) => `${i}-1-1`).join(','), undefined],
  ];
  for (const [text, expected] of cases) {
    const parsed = parseGtid(text);
    assert.equal(parsed === undefined ? undefined : formatGtid(parsed), expected, text);
  }
});

test('GTID positions: covered per domain by seq_no (as MASTER_GTID_WAIT compares)', () => {
  const cases: [string, string, boolean][] = [
    ['0-1-10', '0-1-10', true],
    ['0-1-10', '0-1-9', true],
    ['0-1-10', '0-1-11', false],
    ['0-2-12', '0-1-11', true],
    ['0-1-10,1-1-3', '1-1-3', true],
    ['0-1-10', '1-1-1', false],
    ['0-1-10', '', true],
  ];
  for (const [have, want, covered] of cases)
    assert.equal(gtidCovers(gtid(have), gtid(want)), covered, `${have} covers ${want}`);
  assert.equal(
    formatGtid(mergeGtid(gtid('0-1-10,1-1-3'), gtid('0-2-12,2-1-1')) ?? []),
    '0-2-12,1-1-3,2-1-1',
  );
  const full = gtid(Array.from({ length: MAX_DOMAINS }, (_, i) => `${i}-1-1`).join(','));
  assert.equal(mergeGtid(full, gtid('99-1-1')), undefined, 'never past MAX_DOMAINS');
});

test('read-your-writes tokens: sealed, tamper-proof, expiring, bounded', () => {
  const sealer = new TokenSealer('a-secret-of-some-length');
  const mark = { position: gtid('0-1-42,3-2-7'), expiresAt: 2_000_000_000 };
  const token = sealer.seal(mark);
  assert.ok(token.length <= MAX_TOKEN_CHARS);
  assert.doesNotMatch(Buffer.from(token, 'base64url').toString('latin1'), /0-1-42/, 'opaque');
  assert.deepEqual(sealer.open(token, 1_999_999_999), mark);
  assert.notEqual(sealer.seal(mark), token, 'a fresh IV each time');
  assert.equal(sealer.open(token, 2_000_000_000), undefined, 'expired');
  assert.equal(new TokenSealer('another-secret-value').open(token, 0), undefined, 'other key');
  const bytes = Buffer.from(token, 'base64url');
  for (const at of [0, 12, bytes.length - 1]) {
    const flipped = Buffer.from(bytes);
    flipped[at] = (flipped[at] ?? 0) ^ 1;
    assert.equal(sealer.open(flipped.toString('base64url'), 0), undefined, `byte ${at} changed`);
  }
  for (const bad of [undefined, '', 'not base64!', 'A'.repeat(MAX_TOKEN_CHARS + 1), 'AAAA'])
    assert.equal(sealer.open(bad, 0), undefined, String(bad).slice(0, 20));
  const widest = {
    position: gtid(
      Array.from(
        { length: MAX_DOMAINS },
        (_, i) => `${4294967295 - i}-4294967295-18446744073709551615`,
      ).join(','),
    ),
    expiresAt: 2_000_000_000,
  };
  assert.ok(sealer.seal(widest).length <= MAX_TOKEN_CHARS, 'the widest position fits');
});

test('database failures: only connection-level ones are "down"; overload is "busy"', () => {
  const cases: [unknown, 'down' | 'busy' | undefined][] = [
    [{ code: 'ECONNREFUSED' }, 'down'],
    [{ code: 'PROTOCOL_CONNECTION_LOST' }, 'down'],
    [{ code: 'PROTOCOL_SEQUENCE_TIMEOUT' }, 'down'],
    [{ code: 'ER_SERVER_SHUTDOWN' }, 'down'],
    [{ code: 'X', fatal: true }, 'down'],
    [{ code: 'ER_LOCK_WAIT_TIMEOUT' }, 'busy'],
    [{ code: 'ER_STATEMENT_TIMEOUT' }, 'busy'],
    [{ errno: 1969, sqlMessage: 'max_statement_time exceeded' }, 'busy'],
    [{ errno: 1927 }, 'down'],
    [{ code: 'ER_QUERY_INTERRUPTED' }, 'busy'],
    [{ code: 'ER_LOCK_DEADLOCK' }, 'busy'],
    [{ code: 'ER_OPTION_PREVENTS_STATEMENT' }, 'busy'],
    [{ code: 'ER_DUP_ENTRY' }, undefined],
    [new Error('boom'), undefined],
    [null, undefined],
  ];
  for (const [error, failure] of cases)
    assert.equal(dbFailureOf(error), failure, JSON.stringify(error));
});

test('a position keeps only the domains a tier writes (shard servers have their own)', () => {
  const reader = gtid('0-1-50,101-101-7,102-102-9');
  // shard-1's writer writes domain 101 only: its replicas wait for 101-101-7, nothing else.
  assert.equal(formatGtid(positionWithin(reader, gtid('101-101-12')) ?? []), '101-101-7');
  // The directory (domain 0, replicated from a shard-less history).
  assert.equal(formatGtid(positionWithin(reader, gtid('0-1-60')) ?? []), '0-1-50');
  // A server none of whose domains the reader wrote: no causal wait at all.
  assert.equal(positionWithin(reader, gtid('103-103-1')), undefined);
  assert.equal(positionWithin(gtid(''), gtid('0-1-1')), undefined);
});
