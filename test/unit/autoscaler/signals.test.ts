import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type LbPoolSnapshot,
  metricOf,
  poolSignals,
} from '../../../services/autoscaler/signals.ts';

const snap = (
  requests: number,
  latencySum: number,
  inflight: number[],
  up = inflight.map(() => true),
  queued = 0,
): LbPoolSnapshot => ({
  name: 'web',
  healthy: up.filter(Boolean).length,
  requests,
  queued,
  latencySum,
  backends: inflight.map((n, i) => ({ up: up[i] ?? false, inflight: n })),
});

test('per-server in-flight, rate and latency from two snapshots', () => {
  const s = poolSignals(snap(1000, 10, [0, 0]), snap(1400, 14, [3, 5]), 2000);
  assert.deepEqual(s, {
    pool: 'web',
    current: 2,
    inflightPerServer: 4,
    rpsPerServer: 100,
    meanLatencyS: 0.01,
  });
  assert.equal(metricOf('inflight', s, 0.5), 4);
  assert.equal(metricOf('rps', s, 0.5), 100);
  assert.equal(metricOf('cpu', s, 0.5), 0.5);
});

test('down servers are not capacity; queued requests are load; a first sample has no rate', () => {
  const s = poolSignals(undefined, snap(50, 1, [4, 9], [true, false], 4), 2000);
  assert.equal(s.current, 1);
  assert.equal(s.inflightPerServer, 17);
  assert.equal(s.rpsPerServer, 0);
  assert.equal(s.meanLatencyS, null);
  // A restarted LB (counters back to zero) is not a negative rate.
  assert.equal(poolSignals(snap(900, 9, [0]), snap(10, 0.1, [0]), 1000).rpsPerServer, 0);
});

test('in flight is the larger of the instant reading and the interval mean (Little law)', () => {
  // Sampled in a lull (nothing in flight at the instant) after 2 s that completed 12 s of latency:
  // on average 6 requests were in flight, 3 per server.
  assert.equal(
    poolSignals(snap(1000, 10, [0, 0]), snap(1600, 22, [0, 0]), 2000).inflightPerServer,
    3,
  );
  // A backlog building now outweighs a calm interval.
  assert.equal(
    poolSignals(snap(1000, 10, [0, 0]), snap(1010, 10.1, [7, 5]), 2000).inflightPerServer,
    6,
  );
});
