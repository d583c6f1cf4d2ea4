import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGtid } from '../../../services/web/consistency/gtid.ts';
import {
  addSample,
  effectiveLatency,
  judgeReplicas,
  lagOf,
  latencyLimit,
  type OutlierPolicy,
  type PositionSample,
  pruneHistory,
  type ReplicaView,
} from '../../../services/web/db/replica-choice.ts';

/** The product's defaults (services/web/config.ts). */
const POLICY: OutlierPolicy = {
  maxLatencyMs: 1000,
  outlierFactor: 5,
  minLatencyMs: 500,
  maxLagMs: 5000,
  decayMs: 1000,
};

const view = (
  latencyMs: number | undefined,
  lagMs = 0,
  verdict: ReplicaView['verdict'] = 'ok',
) => ({
  latencyMs,
  lagMs,
  verdict,
});

const gtid = (text: string) => {
  const parsed = parseGtid(text);
  assert.ok(parsed !== undefined, text);
  return parsed;
};

test('EWMA: the first sample is the estimate; old weight decays with the time since the last sample', () => {
  const first = addSample(undefined, 2, 0, 1000);
  assert.deepEqual(first, { ms: 2, at: 0 });
  // After a quiet 1.5 s one slow answer dominates: 2·e^-1.5 + 1500·(1 − e^-1.5) ≈ 1166.
  const slow = addSample(first, 1500, 1500, 1000);
  assert.ok(slow.ms > 1100 && slow.ms < 1200, String(slow.ms));
  // Among samples 10 ms apart one slow answer moves the estimate by about 1 %.
  let busy = addSample(undefined, 2, 0, 1000);
  for (let t = 10; t <= 1000; t += 10) busy = addSample(busy, 2, t, 1000);
  const blip = addSample(busy, 1500, 1010, 1000);
  assert.ok(blip.ms < 20, String(blip.ms));
  // Recovery: 500 ms probes at 1 ms bring 1500 ms under 250 ms within 6 samples (3 s).
  let recovering = { ms: 1500, at: 0 };
  for (let i = 1; i <= 6; i++) recovering = addSample(recovering, 1, i * 500, 1000);
  assert.ok(recovering.ms < 250, String(recovering.ms));
  // A sample that arrives late (timestamp before the last) does not move time backwards.
  assert.equal(addSample({ ms: 10, at: 100 }, 10, 50, 1000).at, 100);
});

test('a probe still waiting counts as that much latency', () => {
  assert.equal(effectiveLatency(undefined, undefined, 100), undefined);
  assert.equal(effectiveLatency(undefined, 40, 100), 60);
  assert.equal(effectiveLatency({ ms: 5, at: 0 }, undefined, 100), 5);
  assert.equal(effectiveLatency({ ms: 5, at: 0 }, 0, 1500), 1500);
  assert.equal(effectiveLatency({ ms: 900, at: 0 }, 1400, 1500), 900);
});

test('the latency limit: factor × the fastest, capped at the maximum while someone is faster, floored', () => {
  assert.equal(latencyLimit(undefined, POLICY), Number.POSITIVE_INFINITY);
  assert.equal(latencyLimit(2, POLICY), 500, 'the floor: 5 × 2 ms is noise');
  assert.equal(latencyLimit(150, POLICY), 750, '5 × the fastest');
  assert.equal(latencyLimit(400, POLICY), 1000, 'the maximum caps the relative limit');
  assert.equal(latencyLimit(1200, POLICY), 6000, 'everything is slow: only the relative limit');
});

test('a slow-but-live replica is skipped; its peers and a uniformly slow box are not', () => {
  // The replica-lag drill: one replica answers in 1.5 s, the primary and the other in 2 ms.
  assert.deepEqual(judgeReplicas(2, [view(1500), view(2)], POLICY), ['slow', 'ok']);
  // Ordinary spread under load (or one stalled event loop tick) is no outlier.
  assert.deepEqual(judgeReplicas(20, [view(400), view(40)], POLICY), ['ok', 'ok']);
  // Over the maximum while the primary answers fast: skipped, even when not 5× slower than a peer.
  assert.deepEqual(judgeReplicas(300, [view(1100), view(400)], POLICY), ['slow', 'ok']);
  // Every server slow (overloaded box): moving reads to the primary would not help.
  assert.deepEqual(judgeReplicas(1500, [view(1800), view(2000)], POLICY), ['ok', 'ok']);
  // Both replicas slow, primary fast: both skipped (the cluster then reads from the primary).
  assert.deepEqual(judgeReplicas(3, [view(1500), view(1600)], POLICY), ['slow', 'slow']);
  // No sample yet: no verdict against it.
  assert.deepEqual(judgeReplicas(undefined, [view(undefined), view(undefined)], POLICY), [
    'ok',
    'ok',
  ]);
});

test('lag over the limit skips a replica; lag wins over latency', () => {
  assert.deepEqual(judgeReplicas(2, [view(2, 6000), view(2, 4000)], POLICY), ['lagging', 'ok']);
  assert.deepEqual(judgeReplicas(2, [view(1500, 6000)], POLICY), ['lagging']);
});

test('hysteresis: a skipped replica returns only under half of what skipped it', () => {
  assert.deepEqual(judgeReplicas(2, [view(300, 0, 'slow')], POLICY), ['slow'], '300 > 500/2');
  assert.deepEqual(judgeReplicas(2, [view(200, 0, 'slow')], POLICY), ['ok']);
  assert.deepEqual(
    judgeReplicas(2, [view(2, 3000, 'lagging')], POLICY),
    ['lagging'],
    '3 s > 5 s/2',
  );
  assert.deepEqual(judgeReplicas(2, [view(2, 2000, 'lagging')], POLICY), ['ok']);
  assert.deepEqual(judgeReplicas(2, [view(300, 0, 'ok')], POLICY), ['ok'], 'not skipped yet');
});

test('lag: since the earliest primary position the replica lacks, read before the replica was', () => {
  const history: PositionSample[] = [
    { at: 1000, position: gtid('0-1-10') },
    { at: 1500, position: gtid('0-1-12') },
    { at: 2000, position: gtid('0-1-15') },
    { at: 2500, position: gtid('0-1-15') },
  ];
  assert.equal(lagOf(history, gtid('0-1-15'), 2600), 0, 'caught up');
  assert.equal(lagOf(history, gtid('0-1-12'), 2600), 600, 'lacks what was committed by 2000');
  assert.equal(lagOf(history, gtid('0-1-9'), 2600), 1600);
  assert.equal(lagOf(history, gtid('0-1-12'), 1900), 0, 'later samples do not count yet');
  assert.equal(lagOf([], gtid('0-1-1'), 100), 0, 'no history: no lag known');
  assert.equal(lagOf(history, gtid('1-2-99'), 2600), 1600, 'another domain covers nothing');
  assert.equal(lagOf([{ at: 0, position: [] }], [], 100), 0, 'an empty primary is covered');
});

test('position history: bounded in age and length, the newest always kept', () => {
  const samples = Array.from({ length: 10 }, (_, i) => ({ at: i * 1000, position: gtid('0-1-1') }));
  assert.deepEqual(
    pruneHistory(samples, 9000, 3000, 100).map((s) => s.at),
    [6000, 7000, 8000, 9000],
  );
  assert.deepEqual(
    pruneHistory(samples, 9000, 100_000, 2).map((s) => s.at),
    [8000, 9000],
  );
  assert.deepEqual(
    pruneHistory(samples, 100_000, 1000, 100).map((s) => s.at),
    [9000],
  );
});
