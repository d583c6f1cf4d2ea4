/** The daily-peak benchmark's pure parts: the day's segments, box-seconds, scale-in windows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  errorsDuringScaleIn,
  firstGrowthAfter,
  type RequestRecord,
  runFigures,
} from '../../../loadtest/bench-autoscale/figures.ts';
import { daySegments, phaseStartS } from '../../../loadtest/bench-autoscale/profile.ts';

const shape = {
  idleRps: 10,
  peakRps: 100,
  seconds: { idle: 4, ramp: 10, peak: 6, 'ramp-down': 10, 'idle-after': 4 },
  segmentS: 2,
};

test('the day: idle, a linear ramp, the peak, a ramp down, idle; segments back to back', () => {
  const segs = daySegments(shape);
  assert.deepEqual(
    segs.map((s) => s.rps),
    [10, 10, 19, 37, 55, 73, 91, 100, 100, 100, 91, 73, 55, 37, 19, 10, 10],
  );
  for (let i = 1; i < segs.length; i++)
    assert.equal(segs[i]?.startS, (segs[i - 1]?.startS ?? 0) + (segs[i - 1]?.durationS ?? 0));
  assert.equal(phaseStartS(shape, 'peak'), 14);
});

test('figures: p99 and errors at peak, box-seconds from the running servers, the series', () => {
  const records: RequestRecord[] = [
    ...Array.from({ length: 99 }, (_, i) => ({
      dueS: 14 + i / 50,
      latencyMs: 10,
      ok: true,
      phase: 'peak' as const,
    })),
    { dueS: 15, latencyMs: 900, ok: false, phase: 'peak' },
    { dueS: 1, latencyMs: 5, ok: true, phase: 'idle' },
  ];
  const fleet = [
    { atS: 0, inRotation: 1, running: 1 },
    { atS: 10, inRotation: 1, running: 3 },
    { atS: 20, inRotation: 3, running: 3 },
    { atS: 30, inRotation: 1, running: 1 },
  ];
  const f = runFigures(records, fleet);
  assert.equal(f.peakP99Ms, 10);
  assert.equal(f.peakErrors, 1);
  assert.equal(f.boxSeconds, 1 * 10 + 3 * 10 + 3 * 10);
  assert.equal(f.maxServers, 3);
  assert.equal(f.series[15]?.errors, 1);
  assert.equal(firstGrowthAfter(fleet, 4, 1), 16, 'in rotation 16 s after the ramp began');
  const during = errorsDuringScaleIn(records, fleet);
  assert.deepEqual(during, { scaleIns: 1, requests: 0, errors: 0 });
  const late = errorsDuringScaleIn(
    [{ dueS: 25, latencyMs: 1, ok: false, phase: 'ramp-down' }],
    fleet,
  );
  assert.deepEqual(late, { scaleIns: 1, requests: 1, errors: 1 });
});
