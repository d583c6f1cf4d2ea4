import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBenchConfig } from '../../../loadtest/bench/config.ts';
import { ratiosTable, rowsTable, summaryMarkdown } from '../../../loadtest/bench/markdown.ts';
import { planMatrix } from '../../../loadtest/bench/matrix.ts';
import { ratios, spreadOf } from '../../../loadtest/bench/ratios.ts';
import { ConfigError } from '../../../services/shared/config/env.ts';
import { fixtureRow, fixtureSummary } from '../../support/bench-fixture.ts';

test('bench config: defaults, and every bad variable named', () => {
  const c = parseBenchConfig({});
  assert.deepEqual(c.BENCH_ONLY, ['stages', 'replicas', 'cache', 'reads']);
  assert.deepEqual(c.BENCH_STAGES, [1, 2, 3, 4]);
  const bad: Record<string, string>[] = [
    { BENCH_ONLY: 'stages,everything' },
    { BENCH_STAGES: '0' },
    { REPEAT: '5' },
    { STEP_SECONDS: 'x' },
    { SCENARIO: 'write-only' },
    { BENCH_PORT_BASE: '6000' },
    { BENCH_PORT_BASE: '123' },
    { BENCH_BOX_CPUS: '0.01' },
  ];
  for (const env of bad) {
    const name = Object.keys(env)[0] ?? '';
    assert.throws(
      () => parseBenchConfig(env),
      (e: unknown) => e instanceof ConfigError && e.message.includes(name),
      JSON.stringify(env),
    );
  }
});

test('bench matrix: every group with the profile quotas, repeated, bounded', () => {
  const all = planMatrix(parseBenchConfig({}));
  assert.deepEqual(
    all.map((r) => r.id),
    [
      'stage-1',
      'stage-2',
      'stage-3',
      'stage-4',
      'web-1',
      'web-2',
      'web-4',
      'cache-off-post',
      'cache-on-post',
      'cache-off-feed',
      'cache-on-feed',
      'reads-primary',
      'reads-replicas',
    ],
  );
  for (const r of all) {
    assert.equal(r.flags.BOX_CPUS, '0.25');
    // The cache and reads groups are meant to be bound by the database: its small quota.
    const dataBound = r.group === 'cache' || r.group === 'reads';
    assert.equal(r.flags.DB_BOX_CPUS, dataBound ? '0.1' : '0.5', r.id);
    if (r.group === 'cache') assert.equal(r.flags.READ_FROM, 'primary');
  }
  const web4 = all.find((r) => r.id === 'web-4');
  assert.equal(web4?.flags.WEB_REPLICAS, '4');
  assert.equal(web4?.flags.READ_API_REPLICAS, '0');
  assert.equal(all.find((r) => r.id === 'cache-on-feed')?.scenario, 'feed-reads');
  assert.equal(all.find((r) => r.id === 'reads-replicas')?.flags.CACHE, 'off');
  const twice = planMatrix(parseBenchConfig({ BENCH_ONLY: 'reads', REPEAT: '2' }));
  assert.deepEqual(
    twice.map((r) => `${r.id}#${r.repeat}`),
    ['reads-primary#1', 'reads-replicas#1', 'reads-primary#2', 'reads-replicas#2'],
  );
  assert.throws(
    () => planMatrix(parseBenchConfig({ REPEAT: '3', BENCH_STAGES: '1,2,3,4,5,6,1,2,3,4,5,6' })),
    /at most 40/,
  );
});

test('bench ratios: against anchors of the same repeat, side by side, with the spread', () => {
  const s = fixtureSummary();
  const byName = Object.fromEntries(s.ratios.map((r) => [r.name, r]));
  const eff = byName['scaling efficiency 1 → 4 web boxes'];
  assert.deepEqual(
    eff?.values.map((v) => v?.toFixed(3)),
    ['0.850', '0.892'],
  );
  assert.equal(eff?.doubtful, true, 'repeat 2 of web-4 was generator-limited');
  assert.equal(byName['cached ÷ uncached, single post']?.values[0], 2.5);
  assert.equal(byName['cached ÷ uncached, feed']?.values[0], 4);
  assert.equal(byName['cached ÷ uncached, feed']?.spread, 0);
  assert.equal(byName['replicas ÷ primary']?.values[1], 1.8);
  assert.equal(byName['replicas ÷ primary']?.doubtful, true);
  assert.equal(byName['stage 2 ÷ stage 1']?.values[0], 2);
  assert.ok(Math.abs((spreadOf([1, 1.1]) ?? 0) - 0.1 / 1.05) < 1e-9);
  assert.equal(spreadOf([1, null]), null);
  // A failed anchor gives no value, not a division by zero.
  const failed = ratios([
    fixtureRow('reads-primary', 1, 0, { error: 'stack did not start' }),
    fixtureRow('reads-replicas', 1, 100),
  ]);
  assert.deepEqual(failed[0]?.values, [null]);
  // A ramp that ended before the SLO broke measured a lower bound: the row says so, and so does
  // every ratio it enters.
  const unbroken = fixtureRow('reads-replicas', 1, 684, { brokeAt: null });
  assert.match(rowsTable([unbroken]).join('\n'), /SLO never broke: capacity at least this/);
  const bound = ratios([fixtureRow('reads-primary', 1, 600), unbroken]);
  assert.equal(bound[0]?.doubtful, true);
  assert.equal(
    ratios([fixtureRow('reads-primary', 1, 600), fixtureRow('reads-replicas', 1, 684)])[0]
      ?.doubtful,
    false,
  );
});

test('bench summary.md: the table marks generator-limited and saturated rows', () => {
  const s = fixtureSummary();
  const rows = rowsTable(s.rows).join('\n');
  assert.match(rows, /\| web-4 \| 2 \|.*generator-limited/);
  assert.match(rows, /\| reads-replicas \| 1 \|.*machine saturated/);
  assert.match(ratiosTable(s.ratios).join('\n'), /\| run 1 \| run 2 \| spread \|/);
  assert.match(summaryMarkdown(s), /## Bottleneck evidence/);
});
