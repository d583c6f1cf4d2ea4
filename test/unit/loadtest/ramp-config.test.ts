import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBenchConfig } from '../../../loadtest/bench/config.ts';
import { parseShardBenchConfig } from '../../../loadtest/bench-shards/config.ts';
import { portBaseProblem, rampFields } from '../../../loadtest/core/ramp-config.ts';
import { ConfigError, parseEnv } from '../../../services/shared/config/env.ts';

test('rampFields: the ramp defaults are the caller’s, the refinement cap too', () => {
  const schema = rampFields({ start: 7, maxSteps: 3, refineMax: 1, refine: 1 });
  const c = parseEnv({}, schema);
  assert.deepEqual(
    [c.RAMP_START, c.RAMP_MAX_STEPS, c.RAMP_REFINE, c.STEP_SECONDS, c.SLO_P99_MS],
    [7, 3, 1, 5, 300],
  );
  assert.throws(() => parseEnv({ RAMP_REFINE: '2' }, schema), ConfigError);
});

test('each benchmark keeps its own ramp defaults', () => {
  const bench = parseBenchConfig({});
  const shards = parseShardBenchConfig({});
  assert.deepEqual([bench.RAMP_START, bench.RAMP_MAX_STEPS, bench.RAMP_REFINE], [40, 12, 4]);
  assert.deepEqual([shards.RAMP_START, shards.RAMP_MAX_STEPS, shards.RAMP_REFINE], [5, 10, 2]);
  assert.equal(parseBenchConfig({ RAMP_REFINE: '6' }).RAMP_REFINE, 6);
  assert.throws(() => parseShardBenchConfig({ RAMP_REFINE: '6' }), ConfigError);
});

test('portBaseProblem: a base that lands on 3306 or 6379 is refused, auto and others pass', () => {
  assert.equal(portBaseProblem('auto'), undefined);
  assert.equal(portBaseProblem('4000'), undefined);
  assert.match(portBaseProblem('3000') ?? '', /BENCH_PORT_BASE=3000 collides/);
  assert.match(portBaseProblem('6000') ?? '', /BENCH_PORT_BASE=6000 collides/);
  assert.throws(() => parseBenchConfig({ BENCH_PORT_BASE: '6000' }), ConfigError);
});
