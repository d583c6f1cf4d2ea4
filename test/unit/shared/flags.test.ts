import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../services/shared/config/env.ts';
import {
  DEFAULT_STAGE,
  FLAG_VARIABLE_NAMES,
  flagsToEnv,
  flagWarnings,
  presetGaps,
  resolveFlags,
  STAGE_PRESETS,
  STAGES,
} from '../../../services/shared/config/flags.ts';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    resolveFlags(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

test('every flag of DESIGN.md is a variable', () => {
  for (const name of [
    'STAGE',
    'WEB_REPLICAS',
    'LB_ALGORITHM',
    'STICKY',
    'SESSION_STORE',
    'CACHE',
    'READ_FROM',
    'STORAGE',
    'CDN',
    'THUMBNAILS',
    'WORKER_REPLICAS',
    'BOX_CPUS',
    'DB_BOX_CPUS',
    'CACHE_BOX_CPUS',
    'LB_BOX_CPUS',
    'DB_POOL_SIZE',
  ]) {
    assert.ok(FLAG_VARIABLE_NAMES.includes(name as never), name);
  }
});

test('each stage resolves; stages only add mechanisms', () => {
  for (const stage of STAGES) {
    const flags = resolveFlags({ STAGE: String(stage) });
    assert.equal(flags.stage, stage);
  }
  assert.equal(resolveFlags({ STAGE: '1' }).storage, 'local');
  assert.equal(resolveFlags({ STAGE: '2' }).storage, 's3');
  assert.equal(resolveFlags({ STAGE: '2' }).dbBox, 'own');
  assert.equal(resolveFlags({ STAGE: '3' }).webReplicas, 3);
  assert.equal(resolveFlags({ STAGE: '3' }).sessionStore, 'redis');
  assert.equal(resolveFlags({ STAGE: '4' }).readFrom, 'replicas');
  assert.equal(resolveFlags({ STAGE: '4' }).dbReplicas, 2);
  assert.equal(resolveFlags({}).stage, DEFAULT_STAGE);
  assert.equal(resolveFlags({ STAGE: '5' }).thumbnails, 'inline');
  assert.equal(resolveFlags({ STAGE: '6' }).thumbnails, 'queue');
  assert.equal(resolveFlags({ STAGE: '6' }).workerReplicas, 2);
  assert.equal(resolveFlags({ STAGE: '4', THUMBNAILS: 'queue' }).workerReplicas, 1);
});

test('an explicit flag wins over the preset', () => {
  const flags = resolveFlags({
    STAGE: '3',
    SESSION_STORE: 'memory',
    STICKY: 'off',
    READ_API_REPLICAS: '0',
    WRITE_API_REPLICAS: '0',
  });
  assert.equal(flags.sessionStore, 'memory');
  assert.equal(flags.sticky, 'off');
  assert.equal(flags.webReplicas, 3);
  assert.deepEqual(resolveFlags(flagsToEnv(flags)), flags);
});

test('bad values name the variable and the allowed values', () => {
  const cases: [Record<string, string>, string][] = [
    [{ STAGE: '7' }, 'STAGE="7": expected an integer from 1 to 6'],
    [
      { LB_ALGORITHM: 'fastest' },
      'LB_ALGORITHM="fastest": expected one of round-robin, least-connections, random, p2c',
    ],
    [{ STICKY: 'yes' }, 'STICKY="yes": expected one of off, cookie'],
    [{ BOX_CPUS: '0' }, 'BOX_CPUS="0": expected a number from 0.1 to 64'],
    [{ WEB_REPLICAS: 'three' }, 'WEB_REPLICAS="three": expected an integer from 1 to 32'],
    [{ STAGE: '1', READ_FROM: 'replicas' }, 'READ_FROM=replicas needs DB_REPLICAS of at least 1'],
    [
      { STAGE: '1', THUMBNAILS: 'queue' },
      "THUMBNAILS=queue needs STORAGE=s3: a worker on its own box cannot read an upload on a web server's disk",
    ],
    [{ WORKER_REPLICAS: '0' }, 'WORKER_REPLICAS="0": expected an integer from 1 to 32'],
    [
      { DB_BOX_CPUS: '0.05' },
      'DB_BOX_CPUS="0.05": expected 0 (no quota) or a number from 0.1 to 64',
    ],
    [{ LB_BOX_CPUS: 'two' }, 'LB_BOX_CPUS="two": expected 0 (no quota) or a number from 0.1 to 64'],
    [{ DB_POOL_SIZE: '0' }, 'DB_POOL_SIZE="0": expected an integer from 1 to 500'],
  ];
  for (const [env, message] of cases)
    assert.ok(
      problemsOf(env).includes(message),
      `${JSON.stringify(env)} → ${problemsOf(env).join(' | ')}`,
    );
  assert.equal(problemsOf({ STAGE: '0', STICKY: 'x' }).length, 2);
});

test('split API pools need shared sessions', () => {
  assert.ok(
    problemsOf({ STAGE: '3', SESSION_STORE: 'memory' }).some((p) =>
      p.includes('SESSION_STORE=redis'),
    ),
  );
  assert.ok(problemsOf({ STAGE: '3', READ_API_REPLICAS: '0' }).some((p) => p.includes('both 0')));
});

test('stage 6 gets its queue and workers; only what is not built yet falls back', () => {
  const gaps = presetGaps(6).map((g) => g.split('=')[0]);
  assert.ok(!gaps.includes('THUMBNAILS') && !gaps.includes('WORKER_REPLICAS'), gaps.join(' '));
  assert.ok(!gaps.includes('SHARDS'), 'sharding is built: stage 6 runs two shard servers');
  assert.equal(resolveFlags({ STAGE: '6' }).shards, 2);
  assert.equal(resolveFlags({ STAGE: '4', SHARDS: '8' }).shards, 8);
  assert.throws(() => resolveFlags({ SHARDS: '9' }), /SHARDS="9"/);
});

test('preset values not built yet fall back and are reported', () => {
  for (const stage of STAGES) {
    const flags = resolveFlags({ STAGE: String(stage) });
    const gaps = presetGaps(stage);
    const preset = STAGE_PRESETS[stage];
    const differing = (Object.keys(preset) as (keyof typeof preset)[]).filter(
      (k) => flags[k] !== preset[k],
    );
    assert.equal(gaps.length, differing.length, `stage ${stage}`);
  }
});

test('warnings point at the problem a missing mechanism shows', () => {
  const bob = resolveFlags({
    STAGE: '3',
    SESSION_STORE: 'memory',
    STICKY: 'off',
    READ_API_REPLICAS: '0',
    WRITE_API_REPLICAS: '0',
  });
  assert.ok(flagWarnings(bob).some((w) => w.includes('Bob')));
  assert.deepEqual(flagWarnings(resolveFlags({ STAGE: '3' })), []);
});
