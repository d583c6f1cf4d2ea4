import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  afterCrash,
  backoffMs,
  DEFAULT_RESTART_POLICY,
} from '../../../runner/process/supervision/restart-policy.ts';
import {
  initialState,
  type Supervised,
  type SupervisorEvent,
  transition,
} from '../../../runner/process/supervision/service-states.ts';

test('backoff doubles from 1 s and stops at 30 s', () => {
  const table: [number, number][] = [
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16_000],
    [6, 30_000],
    [40, 30_000],
    [0, 1000],
  ];
  for (const [n, ms] of table) assert.equal(backoffMs(n), ms, `restart ${n}`);
});

test('five crashes within 120 s give up; older crashes leave the window', () => {
  let crashes: readonly number[] = [];
  const delays: number[] = [];
  for (const at of [0, 10_000, 20_000, 30_000]) {
    const d = afterCrash(crashes, at);
    assert.equal(d.restart, true);
    if (d.restart) delays.push(d.delayMs);
    crashes = d.recent;
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000]);
  assert.equal(afterCrash(crashes, 40_000).restart, false, 'the fifth crash within 120 s');
  // The same fifth crash 121 s after the first: only four are inside the window.
  const late = afterCrash(crashes, 121_000);
  assert.equal(late.restart, true);
  assert.deepEqual(late.recent, [10_000, 20_000, 30_000, 121_000]);
  // A crash long after the others starts the backoff again.
  const fresh = afterCrash(crashes, 500_000);
  assert.deepEqual(fresh, { restart: true, delayMs: 1000, recent: [500_000] });
  assert.equal(DEFAULT_RESTART_POLICY.giveUpAfter, 5);
});

function run(events: SupervisorEvent[], from: Supervised = initialState()) {
  let s = from;
  const actions: string[] = [];
  for (const e of events) {
    const r = transition(s, e);
    s = r.next;
    actions.push(r.action.type);
  }
  return { s, actions };
}

test('an unexpected exit restarts after the backoff; ready again is running', () => {
  const { s, actions } = run([
    { type: 'exited', at: 0 },
    { type: 'backoff-over' },
    { type: 'ready' },
  ]);
  assert.deepEqual(actions, ['schedule', 'launch', 'none']);
  assert.equal(s.state, 'running');
  assert.equal(s.restarts, 1);
});

test('a crash loop ends in failed; a deliberate start clears it', () => {
  const loop: SupervisorEvent[] = [];
  for (let i = 0; i < 4; i++) loop.push({ type: 'exited', at: i * 1000 }, { type: 'backoff-over' });
  loop.push({ type: 'exited', at: 5000 });
  const { s, actions } = run(loop);
  assert.equal(s.state, 'failed');
  assert.equal(actions.at(-1), 'give-up');
  assert.equal(s.restarts, 4);
  const again = run([{ type: 'start' }, { type: 'ready' }], s);
  assert.deepEqual(again.actions, ['launch', 'none']);
  assert.equal(again.s.state, 'running');
  assert.deepEqual(again.s.crashes, []);
});

test('a deliberate stop stays stopped: its exit is not a crash', () => {
  const { s, actions } = run([{ type: 'stop' }, { type: 'exited', at: 0 }]);
  assert.deepEqual(actions, ['signal', 'none']);
  assert.equal(s.state, 'stopped');
  assert.equal(s.wanted, 'down');
  assert.deepEqual(s.crashes, []);
  // A stray late exit or backoff does nothing to a stopped service.
  assert.equal(run([{ type: 'backoff-over' }, { type: 'exited', at: 1 }], s).s.state, 'stopped');
});

test('stop while waiting to restart cancels the restart; start while waiting starts now', () => {
  const waiting = run([{ type: 'exited', at: 0 }]).s;
  assert.equal(waiting.state, 'restarting');
  const stopped = run([{ type: 'stop' }, { type: 'backoff-over' }], waiting);
  assert.deepEqual(stopped.actions, ['cancel', 'none']);
  assert.equal(stopped.s.state, 'stopped');
  const started = run([{ type: 'start' }], waiting);
  assert.deepEqual(started.actions, ['cancel-and-launch']);
  assert.equal(started.s.state, 'starting');
});

test('start of a running service and stop of a stopped one do nothing', () => {
  assert.deepEqual(run([{ type: 'start' }]).actions, ['none']);
  const stopped = run([{ type: 'stop' }, { type: 'exited', at: 0 }]).s;
  assert.deepEqual(run([{ type: 'stop' }], stopped).actions, ['none']);
});

test('a failed start counts as a crash', () => {
  const { s, actions } = run([
    { type: 'exited', at: 0 },
    { type: 'backoff-over' },
    { type: 'exited', at: 1500 },
  ]);
  assert.deepEqual(actions, ['schedule', 'launch', 'schedule']);
  assert.equal(s.crashes.length, 2);
});
