import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decide,
  emptyHistory,
  type History,
  type Policy,
  recommend,
  remember,
} from '../../../services/autoscaler/policy.ts';

const P: Policy = {
  min: 1,
  max: 6,
  target: 4,
  tolerance: 0.1,
  maxStep: 2,
  scaleOutCooldownMs: 10_000,
  scaleInCooldownMs: 30_000,
  stabilisationMs: 60_000,
};

test('HPA formula with its tolerance band', () => {
  const table: [number, number, number][] = [
    // current, metric per server, recommended
    [2, 4, 2],
    [2, 4.4, 2], // +10 %: inside the band
    [2, 4.5, 3], // ceil(2 × 1.125)
    [2, 8, 4],
    [4, 1, 1],
    [3, 3.5, 3], // −12.5 %: ceil(2.625) = 3
    [0, 10, 1], // nothing running: min
  ];
  for (const [current, metric, want] of table)
    assert.equal(recommend(current, metric, P), want, `${current} × ${metric}/4`);
});

test('scale-out is fast but bounded by the step limit, max and the cooldown', () => {
  let h: History = emptyHistory();
  const d1 = decide({ at: 0, current: 1, metric: 40 }, h, P);
  assert.deepEqual([d1.desired, d1.raw, d1.reason], [3, 10, 'scale-out']);
  h = d1.history;
  const d2 = decide({ at: 5000, current: 3, metric: 20 }, h, P);
  assert.deepEqual([d2.desired, d2.reason], [3, 'out-cooldown']);
  const d3 = decide({ at: 11_000, current: 3, metric: 20 }, d2.history, P);
  assert.deepEqual([d3.desired, d3.reason], [5, 'scale-out']);
  const d4 = decide({ at: 30_000, current: 6, metric: 20 }, d3.history, P);
  assert.deepEqual([d4.desired, d4.reason], [6, 'at-max']);
});

test('scale-in waits for the stabilisation window and its cooldown, then steps down', () => {
  // A peak at t=0 recommended 6; the load falls at once.
  const peak = decide({ at: 0, current: 6, metric: 4 }, emptyHistory(), P);
  assert.equal(peak.reason, 'within-tolerance');
  const dip = decide({ at: 20_000, current: 6, metric: 0.5 }, peak.history, P);
  assert.deepEqual([dip.desired, dip.raw, dip.reason], [6, 1, 'stabilising']);
  // At 61 s the peak's recommendation has left the window: only low ones remain.
  const later = decide({ at: 61_000, current: 6, metric: 0.5 }, dip.history, P);
  assert.deepEqual([later.desired, later.reason], [4, 'scale-in']);
  const soon = decide({ at: 70_000, current: 4, metric: 0.5 }, later.history, P);
  assert.deepEqual([soon.desired, soon.reason], [4, 'in-cooldown']);
  const next = decide({ at: 92_000, current: 4, metric: 0.5 }, soon.history, P);
  assert.deepEqual([next.desired, next.reason], [2, 'scale-in']);
});

test('a scale-out resets the scale-in cooldown; min and max are enforced', () => {
  const out = decide({ at: 0, current: 2, metric: 8 }, emptyHistory(), P);
  const dropAfter = decide({ at: 61_000, current: 4, metric: 0.1 }, out.history, {
    ...P,
    scaleInCooldownMs: 90_000,
  });
  assert.equal(dropAfter.reason, 'in-cooldown');
  assert.equal(decide({ at: 0, current: 0, metric: 0 }, emptyHistory(), P).reason, 'below-min');
  const over = decide({ at: 0, current: 9, metric: 4 }, emptyHistory(), P);
  assert.deepEqual([over.desired, over.reason], [6, 'above-max']);
  const floor = decide({ at: 0, current: 1, metric: 0 }, emptyHistory(), P);
  assert.deepEqual([floor.desired, floor.reason], [1, 'within-tolerance']);
});

test('load seen while an action runs is remembered: no scale-in right after a slow scale-out', () => {
  // 2 → 4 decided at t=0; the start takes 40 s, during which the load stays high.
  let h: History = decide({ at: 0, current: 2, metric: 16 }, emptyHistory(), P).history;
  for (let at = 2_000; at <= 40_000; at += 2_000)
    h = remember({ at, current: 2, metric: 16 }, h, P);
  // The load falls as the new servers join: the window still holds the busy samples.
  const after = decide({ at: 42_000, current: 4, metric: 0.5 }, h, P);
  assert.equal(after.reason, 'stabilising');
  assert.equal(after.desired, 4);
  const forgetful = decide(
    { at: 42_000, current: 4, metric: 0.5 },
    { ...h, recommendations: [] },
    P,
  );
  assert.deepEqual(
    [forgetful.reason, forgetful.desired],
    ['scale-in', 2],
    'without the remembered load the same moment would remove the servers just added',
  );
});
