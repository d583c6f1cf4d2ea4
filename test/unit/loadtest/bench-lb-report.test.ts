import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatorLimited } from '../../../loadtest/bench-lb/generator.ts';
import { formatTable, type Row } from '../../../loadtest/bench-lb/report.ts';

const row = (name: string, rps: number, generatorCores: number, extra: Partial<Row> = {}): Row => ({
  name,
  rps,
  p50: 1,
  p99: 3,
  cpuMicrosPerRequest: 30,
  rssMiB: 50,
  failures: 0,
  generatorCores,
  generator: 'wrk',
  ...extra,
});

test('bench-lb table: every row states the generator CPU; rows above 80 % of its core are marked', () => {
  assert.equal(generatorLimited(0.8), false);
  assert.equal(generatorLimited(0.81), true);
  const table = formatTable([
    row('HAProxy 2.6, HTTP', 33_000, 0.97, { baseline: 'http' }),
    row('LB undici, 1 process, HTTP', 18_000, 0.55, { compareTo: 'http' }),
  ]).split('\n');
  assert.match(table[0] ?? '', /\| generator CPU \| marks \|$/);
  assert.match(table[2] ?? '', /\| wrk 97 % \| generator-limited/);
  assert.match(table[3] ?? '', /\| 0\.55 \| 0 \| wrk 55 % \| {2}\|$/);
});
