import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observeFailure, observeStatus } from '../../../services/lb/health/passive.ts';
import {
  afterCheck,
  afterEject,
  type HealthState,
  INITIAL,
} from '../../../services/lb/health/state.ts';

const run = (start: HealthState, checks: string, rise = 2, fall = 2): string => {
  let s = start;
  let trace = '';
  for (const c of checks) {
    s = afterCheck(s, c === '+', rise, fall);
    trace += s.up ? 'U' : 'D';
  }
  return trace;
};

const table: [string, HealthState, string, string][] = [
  ['a new backend comes up on its first passing check', INITIAL, '+', 'U'],
  ['a new backend that fails stays down and then needs rise', INITIAL, '-++', 'DDU'],
  [
    'up goes down after fall failures in a row',
    { up: true, fresh: false, passes: 5, fails: 0 },
    '-+--',
    'UUUD',
  ],
  [
    'down needs rise passes in a row',
    { up: false, fresh: false, passes: 0, fails: 3 },
    '+-++',
    'DDDU',
  ],
];
for (const [name, start, checks, trace] of table) {
  test(`health: ${name}`, () => assert.equal(run(start, checks), trace));
}

test('an ejected backend is down until it passes rise checks', () => {
  const ejected = afterEject({ up: true, fresh: false, passes: 9, fails: 0 });
  assert.equal(ejected.up, false);
  assert.equal(run(ejected, '+++', 3), 'DDU');
});

test('passive: connect failures eject at once; gateway failures after a streak; answers reset', () => {
  const s = { failures: 0 };
  assert.equal(observeFailure(s, 'refused', 3), true);
  assert.equal(observeFailure({ failures: 0 }, 'connect-timeout', 3), true);
  assert.equal(observeStatus(s, 502, 3), false);
  assert.equal(observeFailure(s, 'headers-timeout', 3), false);
  assert.equal(observeStatus(s, 200, 3), false);
  assert.equal(s.failures, 0);
  assert.equal(observeStatus(s, 502, 3), false);
  assert.equal(observeFailure(s, 'reset', 3), false);
  assert.equal(observeStatus(s, 504, 3), true);
});

test('passive: a 500 or a 503 from the app is an answer, not a gateway failure', () => {
  const s = { failures: 2 };
  for (let i = 0; i < 10; i++) assert.equal(observeStatus(s, 503, 3), false, '503 + Retry-After');
  assert.equal(s.failures, 0, 'an answer resets the streak');
  for (let i = 0; i < 10; i++) assert.equal(observeStatus(s, 500, 3), false);
  assert.equal(observeStatus({ failures: 2 }, 502, 3), true);
  assert.equal(observeStatus({ failures: 10 }, 502, 0), false, 'limit 0 turns it off');
});
