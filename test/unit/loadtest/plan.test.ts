import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tierCapacities, tierOf } from '../../../loadtest/plan/capacity.ts';
import { demandOf, NOTES_WORKLOAD } from '../../../loadtest/plan/notes.ts';
import { capacityPlan } from '../../../loadtest/plan/plan.ts';
import { planText } from '../../../loadtest/plan/text.ts';
import { fixtureRow } from '../../support/bench-fixture.ts';

const profile = {
  BOX_CPUS: '0.25',
  DB_BOX_CPUS: '0.5',
  CACHE_BOX_CPUS: '0.25',
  LB_BOX_CPUS: '0.5',
};
const seconds = (rps: number) => Array.from({ length: 10 }, () => ({ rps, p99: 50 }));

test("plan: the notes' demand — 400 writes/s and 40,000 reads/s on average, times the peak factor", () => {
  const d = demandOf({ ...NOTES_WORKLOAD, peakFactor: 3 });
  assert.equal(d.averageWritesPerSecond, 400);
  assert.equal(d.averageReadsPerSecond, 40_000);
  assert.equal(d.peakRequestsPerSecond, 121_200);
  assert.equal(d.readsPerWrite, 100);
  assert.equal(d.newContentBytesPerMonth, 1e12);
});

test('plan: per-box req/s from the CPU a tier used per request; stage 1 counts the database on the web box', () => {
  assert.equal(tierOf('read-api-2'), 'read-api');
  assert.equal(tierOf('mysql-replica-1'), 'mysql-replica');
  assert.equal(tierOf('cdn'), undefined);
  const row = fixtureRow('stage-2', 1, 100, {
    flags: { ...profile, STAGE: '2' },
    seconds: seconds(100),
    cpu: {
      'web-1': { mean: 0.2, peak: 0.25 },
      'mysql-primary': { mean: 0.1, peak: 0.2 },
      lb: { mean: 0.05, peak: 0.1 },
    },
  });
  const tiers = Object.fromEntries(tierCapacities(row, 'bench-x').map((t) => [t.tier, t]));
  // 100 req/s on 0.2 cores → a 0.25-CPU box serves 125 req/s.
  assert.equal(tiers.web?.perBoxRps, 125);
  assert.equal(tiers['mysql-primary']?.perBoxRps, 500);
  assert.match(
    tiers.web?.source ?? '',
    /bench-x stage-2 #1: 1 × 0.25-CPU web box used 0.200 cores at 100 req\/s/,
  );
  const one = tierCapacities({ ...row, flags: { ...profile, STAGE: '1' } }, 'bench-x');
  assert.deepEqual(
    one.map((t) => t.tier),
    ['web', 'lb'],
  );
  assert.ok(Math.abs((one[0]?.perBoxRps ?? 0) - 100 * (0.25 / 0.3)) < 1e-9);
});

test('plan: boxes per tier per stage; the single-box tiers decide which stage stops being enough', () => {
  const cpu = (entries: Record<string, number>) =>
    Object.fromEntries(Object.entries(entries).map(([k, mean]) => [k, { mean, peak: mean }]));
  const rows = [
    fixtureRow('stage-2', 1, 100, {
      flags: { ...profile, STAGE: '2' },
      seconds: seconds(100),
      cpu: cpu({ 'web-1': 0.25, 'mysql-primary': 0.2, lb: 0.05 }),
    }),
    fixtureRow('stage-4', 1, 400, {
      flags: { ...profile, STAGE: '4' },
      seconds: seconds(400),
      // At stage 4 the primary takes only the writes: little CPU per request of the mix.
      cpu: cpu({
        'read-api-1': 0.2,
        'read-api-2': 0.2,
        'write-api-1': 0.01,
        'mysql-primary': 0.001,
        'mysql-replica-1': 0.1,
        'mysql-replica-2': 0.1,
        memcached: 0.05,
        lb: 0.2,
      }),
    }),
    fixtureRow('stage-4', 2, 1, { error: 'ignored: repeat 1 is used' }),
  ];
  const plan = capacityPlan(rows, 'bench-x', 'read-heavy', { ...NOTES_WORKLOAD, peakFactor: 2 });
  assert.equal(plan.demand.peakRequestsPerSecond, 80_800);
  const [two, four] = plan.stages;
  assert.equal(two?.enough, false);
  // web: 100 req/s per 0.25 core → 100 per box → 808 boxes, the stage has one.
  assert.equal(two?.tiers.find((t) => t.tier === 'web')?.needed, 808);
  assert.match(two?.short.join(' ') ?? '', /web needs 808 boxes, the stage has 1/);
  // It holds the users its tightest one-box tier can: web at 100 req/s of 80,800.
  assert.equal(two?.maxUsers, Math.floor((10_000_000 * 100) / 80_800));
  // Stage 4: read-API 2 × 0.25 CPU used 0.4 cores at 400 req/s → 250 per box → 324 boxes.
  assert.equal(four?.tiers.find((t) => t.tier === 'read-api')?.needed, 324);
  assert.equal(four?.tiers.find((t) => t.tier === 'read-api')?.limit, null);
  // The primary: 400 req/s on 0.001 cores of a 0.5-CPU box → 200,000 per box: one is enough.
  assert.equal(four?.tiers.find((t) => t.tier === 'mysql-primary')?.needed, 1);
  assert.equal(four?.enough, true);
  assert.equal(plan.firstEnough, 4);
  const text = planText(plan, 'summary.json');
  assert.match(text, /stage 2 .*NOT ENOUGH/);
  assert.match(text, /source: bench-x stage-4 #1: 2 × 0.25-CPU read-api boxes used 0.400 cores/);
  assert.match(text, /the lowest stage that holds the peak: stage 4/);
});
