import assert from 'node:assert/strict';
import { test } from 'node:test';
import { moveWrites } from '../../../loadtest/bench-reshard/figures.ts';
import type { LedgerEntry } from '../../../loadtest/ledger/ledger.ts';

const entry = (user: string, attempts: [number, number, number][]): LedgerEntry => ({
  key: `${user}-${attempts[0]?.[0]}`,
  kind: 'post',
  user,
  attempts: attempts.map(([at, ms, status]) => ({ at, ms, status, code: '' })),
});

test('a move’s writes: only attempts inside the window, moved users apart, errors counted', () => {
  const entries = [
    entry('a', [[100, 5, 201]]),
    entry('a', [
      [1000, 40, 503],
      [1400, 900, 201],
    ]),
    entry('b', [[1200, 8, 201]]),
    entry('b', [[5000, 7, 201]]),
  ];
  const figures = moveWrites(entries, 1000, 2000, (u) => u === 'a');
  assert.equal(figures.moved.writes, 2);
  assert.equal(figures.moved.errors, 1);
  assert.equal(figures.moved.latency.max, 900);
  assert.equal(figures.moved.latency.p50, 40);
  assert.equal(figures.others.writes, 1);
  assert.equal(figures.others.errors, 0);
  assert.equal(figures.others.latency.max, 8);
});
