import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observedAtLeast } from '../../../loadtest/drills/checks.ts';
import { sample } from '../../../loadtest/drills/faults/worker-jobs.ts';

const PAGE = [
  '# HELP thumbnail_queue_jobs Thumbnail jobs in the queue, by state',
  '# TYPE thumbnail_queue_jobs gauge',
  'thumbnail_queue_jobs{state="waiting"} 7',
  'thumbnail_queue_jobs{state="active"} 1',
  'thumbnail_jobs_stalled_total 2',
].join('\n');

test('one sample of a Prometheus page by its exact series, 0 when absent', () => {
  const cases: [string, number][] = [
    ['thumbnail_queue_jobs{state="active"}', 1],
    ['thumbnail_queue_jobs{state="waiting"}', 7],
    ['thumbnail_jobs_stalled_total', 2],
    ['thumbnail_jobs_stalled', 0],
    ['thumbnail_queue_jobs{state="failed"}', 0],
  ];
  for (const [series, value] of cases) assert.equal(sample(PAGE, series), value, series);
});

test('observedAtLeast: never observed or below the floor fails', () => {
  const check = observedAtLeast('stalledRecovered', 1, 'recovered');
  const run = (observed: Record<string, number>) =>
    check({ observed } as unknown as Parameters<typeof check>[0]).pass;
  assert.equal(run({}), false);
  assert.equal(run({ stalledRecovered: 0 }), false);
  assert.equal(run({ stalledRecovered: 1 }), true);
});
