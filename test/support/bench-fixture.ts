/**
 * A small make-bench summary for tests (the matrix itself takes far too long for CI): rows of a
 * two-repeat run with every group, the capacities chosen so each ratio is known.
 */
import { ratios } from '../../loadtest/bench/ratios.ts';
import type { BenchRow } from '../../loadtest/bench/row.ts';
import type { BenchSummary } from '../../loadtest/bench/summary.ts';

export function fixtureRow(
  id: string,
  repeat: number,
  capacityRps: number,
  extra: Partial<BenchRow> = {},
): BenchRow {
  const group = id.startsWith('stage')
    ? 'stages'
    : id.startsWith('web')
      ? 'replicas'
      : id.startsWith('cache')
        ? 'cache'
        : 'reads';
  return {
    id,
    group,
    label: id,
    scenario: 'read-heavy',
    flags: { STAGE: '4', BOX_CPUS: '0.25' },
    repeat,
    capacityRps,
    p99Ms: 120 + capacityRps / 10,
    p99ByLabel: { post: 80, feed: 150 },
    brokeAt: { rate: Math.round(capacityRps * 1.5), reason: 'p99 900 ms > 300 ms' },
    bottleneck: {
      component: 'web-1',
      kind: 'web',
      evidence: ['CPU 0.25 cores of its 0.25-CPU box (100 %)'],
      step: 'add web servers',
    },
    generator: { cores: 0.3, busiestThread: 0.2, limited: false },
    machineBusy: 0.7,
    machineSaturated: false,
    loadAverage: [1.5, 1.2, 1.0],
    cpu: {
      'web-1': { mean: 0.2, peak: 0.25 },
      'mysql-primary': { mean: 0.1, peak: 0.2 },
      lb: { mean: 0.05, peak: 0.08 },
    },
    steps: [
      { rate: 40, achievedRps: 40, p99Ms: 50, errorRate: 0 },
      { rate: 60, achievedRps: 59, p99Ms: 90, errorRate: 0 },
    ],
    seconds: Array.from({ length: 10 }, (_, i) => ({ rps: 40 + i * 3, p99: 40 + i * 20 })),
    ...extra,
  };
}

export function fixtureSummary(): BenchSummary {
  const rows: BenchRow[] = [];
  for (const repeat of [1, 2]) {
    const k = repeat === 1 ? 1 : 1.05;
    rows.push(
      fixtureRow('stage-1', repeat, 50 * k),
      fixtureRow('stage-2', repeat, 100 * k),
      fixtureRow('stage-3', repeat, 200),
      fixtureRow('stage-4', repeat, 400),
      fixtureRow('web-1', repeat, 100),
      fixtureRow('web-2', repeat, 190),
      fixtureRow(
        'web-4',
        repeat,
        340 * k,
        repeat === 2 ? { generator: { cores: 0.9, busiestThread: 0.85, limited: true } } : {},
      ),
      fixtureRow('cache-off-post', repeat, 100),
      fixtureRow('cache-on-post', repeat, 250),
      fixtureRow('cache-off-feed', repeat, 50),
      fixtureRow('cache-on-feed', repeat, 200),
      fixtureRow('reads-primary', repeat, 100),
      fixtureRow('reads-replicas', repeat, 180, { machineSaturated: true }),
    );
  }
  return {
    version: 1,
    run: 'bench-fixture',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:30:00.000Z',
    machine: { cores: 2, loadAverageAtStart: [0.5, 0.4, 0.3], cgroup: null },
    scenario: 'read-heavy',
    slo: { p99Ms: 300, errorRate: 0.01 },
    profile: { BOX_CPUS: '0.25', DB_BOX_CPUS: '0.5', CACHE_BOX_CPUS: '0.25', LB_BOX_CPUS: '0.5' },
    rows,
    ratios: ratios(rows),
  };
}
