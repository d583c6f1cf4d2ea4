import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseShardBenchConfig, runFlags } from '../../../loadtest/bench-shards/config.ts';
import { planRuns } from '../../../loadtest/bench-shards/plan.ts';
import { reportText, type ShardRow, shardRatios } from '../../../loadtest/bench-shards/report.ts';

const row = (
  shards: number,
  feed: 'scatter' | 'timeline',
  capacityRps: number | null,
  feed50?: number,
): ShardRow => ({
  id: `${shards}-${feed}`,
  shards,
  feed,
  capacityRps,
  p99Ms: 100,
  brokeAt: null,
  bottleneck: null,
  generator: { cores: 0.1, busiestThread: 0.05, limited: false },
  machineBusy: 0.5,
  machineSaturated: false,
  loadAverage: [1, 1, 1],
  cpu: { 'mysql-shard-1': { mean: 0.1, peak: 0.1 } },
  feedLatency:
    feed50 === undefined
      ? null
      : {
          rate: 40,
          achievedRps: 40,
          p50Ms: feed50,
          p99Ms: feed50 * 4,
          errorRate: 0,
          generatorCores: 0.1,
          servedBy: feed === 'timeline' ? 'timeline' : 'shard-1,shard-2',
          loadAverage: [1, 1, 1],
        },
  timelineBytes: feed === 'timeline' ? 2 * 1024 * 1024 : null,
});

test('ratios against the unsharded run of the same invocation', () => {
  const rows = [
    row(1, 'scatter', 100),
    row(2, 'scatter', 180, 20),
    row(4, 'scatter', 300),
    row(2, 'timeline', 150, 5),
  ];
  const r = shardRatios(rows, 2);
  assert.deepEqual(
    r.efficiency.map((e) => [e.shards, e.value]),
    [
      [2, 0.9],
      [4, 0.75],
    ],
  );
  assert.equal(r.timelineWriteCost, 150 / 180);
  assert.equal(r.feedP50, 4);
  assert.equal(r.feedP99, 4);
  const text = reportText(rows, r, { dbBoxCpus: 0.1, cores: 2, startLoad: [3, 2, 1] });
  assert.match(text, /scaling efficiency 1 → 4 shards \| 0\.75 \| ≥ 0\.70/);
  assert.match(text, /timeline in Redis after the run: 2\.0 MiB/);
});

test('the write tier alone: its own efficiency against the unsharded direct inserts', () => {
  const direct = (writesPerSecond: number) => ({
    writesPerSecond,
    p50Ms: 5,
    p99Ms: 20,
    errors: 0,
    connections: 4,
    dbCpu: { 'mysql-shard-1': 0.1 },
    machineBusy: 0.5,
    loadAverage: [1, 1, 1],
  });
  const rows = [
    { ...row(1, 'scatter', 10), direct: direct(150) },
    { ...row(2, 'scatter', 12), direct: direct(270) },
    { ...row(4, 'scatter', 9), direct: direct(480) },
  ];
  const r = shardRatios(rows, 2);
  assert.deepEqual(
    r.directEfficiency.map((e) => [e.shards, e.value]),
    [
      [2, 0.9],
      [4, 0.8],
    ],
  );
  // Every run's boxes used 0.1 cores in all (dbCpu above): per core, the writes' own ratio.
  assert.deepEqual(
    r.directPerCore.map((e) => [e.shards, e.value]),
    [
      [2, 1.8],
      [4, 3.2],
    ],
  );
  const text = reportText(rows, r, { dbBoxCpus: 0.1, cores: 2, startLoad: [1, 1, 1] });
  assert.match(text, /write tier alone \(direct inserts\), efficiency 1 → 4 shards \| 0\.80/);
  assert.match(text, /\| 4-scatter \| 480 \| 5\.0 \| 20\.0 \| 0 \| 4 \| mysql-shard-1 0\.100/);
});

test('a run without a capacity gives no ratio rather than a wrong one', () => {
  const r = shardRatios([row(1, 'scatter', 0), row(2, 'scatter', 50)], 2);
  assert.deepEqual(r.efficiency, [{ shards: 2, value: null }]);
  assert.equal(r.timelineWriteCost, null);
});

test('the plan: every shard count ramped, the feed on FEED_SHARDS, then the timeline stack', () => {
  const c = parseShardBenchConfig({});
  assert.deepEqual(
    planRuns(c).map((r) => [r.shards, r.feed, r.measureFeed]),
    [
      [1, 'scatter', false],
      [2, 'scatter', true],
      [4, 'scatter', false],
      [2, 'timeline', true],
    ],
  );
  assert.throws(() => parseShardBenchConfig({ BENCH_SHARDS: '2,4' }), /must include 1/);
  const flags = runFlags(c, 4, 'scatter');
  assert.equal(flags.DB_BOX_CPUS, '0.1');
  assert.equal(flags.SHARDS, '4');
  assert.equal(runFlags(c, 1, 'timeline').FEED, undefined, 'no FEED on the unsharded stack');
});
