import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, Samples, summarize } from '../../../loadtest/core/latency.ts';
import { dueAt, dueBy, latencyMs, serviceMs } from '../../../loadtest/core/pacing.ts';
import { judgeStep, nextRate, rampOutcome, refineRate } from '../../../loadtest/core/ramp.ts';
import { statCpuMs } from '../../../loadtest/core/thread-cpu.ts';
import { zipf } from '../../../loadtest/core/zipf.ts';
import { prng } from '../../../scripts/seed/data.ts';

test('percentiles are nearest-rank over the samples', () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 99), 99);
  assert.equal(percentile(sorted, 100), 100);
  assert.equal(percentile([], 99), 0);
  const s = summarize([5, 1, 3]);
  assert.deepEqual([s.count, s.p50, s.max, s.mean], [3, 3, 5, 3]);
  const samples = new Samples();
  samples.add('a', 1);
  samples.merge({ a: [2], b: [3] });
  assert.deepEqual(samples.labels(), ['a', 'b']);
  assert.deepEqual(samples.drain(), { a: [1, 2], b: [3] });
  assert.deepEqual(samples.all(), []);
});

test('pacing: request i is due at start + i/rate; latency counts from then', () => {
  assert.equal(dueAt(1000, 100, 0), 1000);
  assert.equal(dueAt(1000, 100, 50), 1500);
  assert.equal(dueBy(1000, 100, 999), 0);
  assert.equal(dueBy(1000, 100, 1000), 1);
  assert.equal(dueBy(1000, 100, 1500), 51);
  const t = { dueMs: 1000, sentMs: 1800, doneMs: 1810 };
  assert.equal(latencyMs(t), 810);
  assert.equal(serviceMs(t), 10);
});

test('ramp: a step breaks on p99, errors or a rate it could not serve; capacity is the last that held', () => {
  const slo = { p99Ms: 200, errorRate: 0.01 };
  const table: [number, number, number, number, boolean][] = [
    [100, 100, 50, 0, true],
    [100, 100, 250, 0, false],
    [100, 100, 50, 0.02, false],
    [100, 80, 50, 0, false],
  ];
  for (const [rate, achievedRps, p99Ms, errorRate, held] of table)
    assert.equal(
      judgeStep({ rate, achievedRps, p99Ms, errorRate }, slo).held,
      held,
      JSON.stringify({ rate, achievedRps, p99Ms, errorRate }),
    );
  assert.equal(nextRate(100, 1.5), 150);
  assert.equal(nextRate(1, 1.05), 2);
  const out = rampOutcome(
    [
      { rate: 50, achievedRps: 50, p99Ms: 20, errorRate: 0 },
      { rate: 75, achievedRps: 74, p99Ms: 40, errorRate: 0 },
      { rate: 112, achievedRps: 90, p99Ms: 900, errorRate: 0 },
    ],
    slo,
  );
  assert.equal(out.capacityRps, 74);
  assert.equal(out.brokeAt?.rate, 112);
  assert.match(out.reason, /p99 900 ms > 200 ms/);
  // Refinement after the break: 93 held, then 102 broke; the capacity is 93's, the break 102.
  assert.equal(refineRate(75, 112), 94);
  assert.equal(refineRate(75, 76), null);
  const refined = rampOutcome(
    [
      { rate: 50, achievedRps: 50, p99Ms: 20, errorRate: 0 },
      { rate: 75, achievedRps: 74, p99Ms: 40, errorRate: 0 },
      { rate: 112, achievedRps: 90, p99Ms: 900, errorRate: 0 },
      { rate: 93, achievedRps: 92, p99Ms: 120, errorRate: 0 },
      { rate: 102, achievedRps: 99, p99Ms: 300, errorRate: 0 },
    ],
    slo,
  );
  assert.equal(refined.capacityRps, 92);
  assert.equal(refined.brokeAt?.rate, 102);
});

test('zipf: a few keys take most requests, every key is in range', () => {
  const n = 1000;
  const sampler = zipf(n, 1, prng(3));
  const counts = new Map<number, number>();
  for (let i = 0; i < 20_000; i++) {
    const k = sampler.next();
    assert.ok(k >= 0 && k < n);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const top = [...counts.values()].sort((a, b) => b - a);
  const top10 = top.slice(0, 10).reduce((a, b) => a + b, 0);
  assert.ok(top10 / 20_000 > 0.3, `top 10 keys: ${top10}`);
  assert.ok(counts.size > 300, `${counts.size} distinct keys`);
  assert.throws(() => zipf(0, 1, Math.random), /positive integer/);
});

test('thread CPU from a /proc stat line (a comm with spaces and parentheses)', () => {
  const line = '4242 (node (worker) x) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0';
  assert.equal(statCpuMs(line), 3000);
  assert.equal(statCpuMs('garbage'), undefined);
});

test('USE: a CPU-starved web box outranks the pool waits it causes; a real pool wait wins otherwise', async () => {
  const { analyse } = await import('../../../loadtest/sample/use.ts');
  const reading = (atMs: number, cpuMs: number, waitSum: number, waitCount: number) => ({
    atMs,
    values: {
      'web-1': { cpuMs, poolWaitSum: waitSum, poolWaitCount: waitCount, loopP99Ms: 20 },
      'mysql-primary': { cpuMs: cpuMs / 10 },
    },
  });
  const components = [
    { name: 'web-1', kind: 'web', box: 'web-1' },
    { name: 'mysql-primary', kind: 'mysql-primary', box: 'mysql-primary' },
  ];
  const base = {
    components,
    machineCores: 2,
    machineBusy: 0.5,
    generatorTrusted: true,
    dbPoolSize: 10,
  };
  // 0.1 CPU of a 0.1-CPU box, and 100 ms average pool waits.
  const starved = analyse({
    ...base,
    boxCpus: { 'web-1': 0.1, 'mysql-primary': null },
    readings: [reading(0, 0, 0, 0), reading(1000, 100, 10, 100), reading(2000, 200, 20, 200)],
  });
  assert.equal(starved.bottleneck?.component, 'web-1');
  assert.match(starved.bottleneck?.evidence[0] ?? '', /0\.10 cores of its 0\.1-CPU box \(100 %\)/);
  // A roomy box (1 CPU, 10 % used) with the same waits: the pool is the bottleneck.
  const pool = analyse({
    ...base,
    boxCpus: { 'web-1': 1, 'mysql-primary': null },
    readings: [reading(0, 0, 0, 0), reading(1000, 100, 10, 100), reading(2000, 200, 20, 200)],
  });
  assert.equal(pool.bottleneck?.kind, 'pool');
  // The same waits while at most 1 of the 10 connections was ever in use: not a pool queue (a
  // late event loop on a 0.1-CPU box 60 % busy), so the box is named.
  const late = (atMs: number, cpuMs: number, waitSum: number, waitCount: number) => {
    const r = reading(atMs, cpuMs, waitSum, waitCount);
    return { ...r, values: { ...r.values, 'web-1': { ...r.values['web-1'], poolInUse: 1 } } };
  };
  const notFull = analyse({
    ...base,
    boxCpus: { 'web-1': 0.1, 'mysql-primary': null },
    readings: [late(0, 0, 0, 0), late(1000, 60, 10, 100), late(2000, 120, 20, 200)],
  });
  assert.equal(notFull.bottleneck?.component, 'web-1');
  const poolLine = notFull.ranking.find((f) => f.kind === 'pool');
  assert.match(poolLine?.evidence.join(' ') ?? '', /never full/);
  const untrusted = analyse({ ...base, boxCpus: {}, readings: [], generatorTrusted: false });
  assert.equal(untrusted.bottleneck?.kind, 'generator');
  assert.equal(
    analyse({ ...base, boxCpus: {}, readings: [], machineBusy: 0.95 }).machineSaturated,
    true,
  );
});

test('USE: slow answers from an idle database are named; a busy database or a starved web box explains them', async () => {
  const { analyse } = await import('../../../loadtest/sample/use.ts');
  // Per second: web-1 uses `webMs` CPU ms, the primary `dbMs`; 100 statements taking `stmtMs` each,
  // and the pool full (10 of 10) with 30 ms waits.
  const reading = (i: number, webMs: number, dbMs: number, stmtMs: number) => ({
    atMs: i * 1000,
    values: {
      'web-1': {
        cpuMs: i * webMs,
        'querySum:primary': (i * 100 * stmtMs) / 1000,
        'queryCount:primary': i * 100,
        poolWaitSum: i * 3,
        poolWaitCount: i * 100,
        poolInUse: 10,
      },
      'mysql-primary': { cpuMs: i * dbMs },
    },
  });
  const run = (webMs: number, dbMs: number, stmtMs: number, webCpus = 1) =>
    analyse({
      components: [
        { name: 'web-1', kind: 'web', box: 'web-1' },
        { name: 'mysql-primary', kind: 'mysql-primary', box: 'mysql-primary' },
      ],
      boxCpus: { 'web-1': webCpus, 'mysql-primary': 1 },
      machineCores: 2,
      machineBusy: 0.4,
      generatorTrusted: true,
      dbPoolSize: 10,
      readings: [0, 1, 2, 3].map((i) => reading(i, webMs, dbMs, stmtMs)),
    });
  const slow = run(200, 50, 60);
  assert.equal(slow.bottleneck?.kind, 'slow-dependency', JSON.stringify(slow.ranking));
  assert.equal(slow.bottleneck?.component, 'mysql-primary (slow answers)');
  assert.match(slow.bottleneck?.evidence.join(' ') ?? '', /average statement 60\.0 ms/);
  assert.match(
    slow.ranking.find((f) => f.kind === 'pool')?.evidence.join(' ') ?? '',
    /answers slowly/,
  );
  // Fast statements: nothing slow to name (the full pool is the finding).
  assert.equal(run(200, 50, 2).bottleneck?.kind, 'pool');
  // The same slow statements from a database whose CPU is 90 % busy: its box is the finding.
  const busy = run(200, 900, 60);
  assert.equal(
    busy.ranking.some((f) => f.kind === 'slow-dependency'),
    false,
  );
  // A starved web box (0.1 of 0.1 CPU) measures its own lateness as statement time.
  assert.equal(run(100, 50, 60, 0.1).bottleneck?.component, 'web-1');
});
