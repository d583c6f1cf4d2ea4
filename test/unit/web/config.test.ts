import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../services/shared/config/env.ts';
import { loadWebConfig } from '../../../services/web/config.ts';

const base = { MYSQL_PRIMARY: '127.0.0.11:8306', MYSQL_PASSWORD: 'pw' };

const problems = (env: Record<string, string>): readonly string[] => {
  try {
    loadWebConfig(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
};

test('a minimal stage 1 configuration', () => {
  const config = loadWebConfig({ ...base, STAGE: '1' });
  assert.equal(config.flags.storage, 'local');
  assert.equal(config.s3, undefined);
  assert.deepEqual(config.MYSQL_PRIMARY, { host: '127.0.0.11', port: 8306 });
});

test('variables needed by the chosen flags are required, and named', () => {
  assert.deepEqual(problems({ ...base, STAGE: '2' }), [
    'S3_BUCKET is required when STORAGE=s3',
    'S3_ACCESS_KEY_ID is required when STORAGE=s3',
    'S3_SECRET_ACCESS_KEY is required when STORAGE=s3',
  ]);
  assert.ok(
    problems({ ...base, STAGE: '1', SESSION_STORE: 'redis' }).includes(
      'REDIS_URL is required when SESSION_STORE=redis',
    ),
  );
  assert.ok(
    problems({ ...base, STAGE: '1', DB_REPLICAS: '1', READ_FROM: 'replicas' }).some((p) =>
      p.startsWith('MYSQL_REPLICAS'),
    ),
  );
});

test('flag and variable problems are reported together', () => {
  const found = problems({ STAGE: '9', PORT: 'x', ROLE: 'admin' });
  for (const name of [
    'STAGE=',
    'PORT=',
    'ROLE=',
    'MYSQL_PRIMARY is required',
    'MYSQL_PASSWORD is required',
  ]) {
    assert.ok(
      found.some((p) => p.startsWith(name)),
      `${name} in ${found.join(' | ')}`,
    );
  }
});

test('a TRUST_PROXY range with an impossible prefix is a config error naming the variable', () => {
  const found = problems({ ...base, TRUST_PROXY: '127.0.0.1,10.0.0.0/33' });
  assert.equal(found.length, 1);
  assert.match(found[0] ?? '', /TRUST_PROXY/);
});

test('protection defaults: the limits the integration tests run with', () => {
  const config = loadWebConfig({ ...base, STAGE: '1' });
  assert.deepEqual(
    {
      queue: config.MYSQL_QUEUE_LIMIT,
      rywTtl: config.READ_YOUR_WRITES_TTL_SECONDS,
      rywWait: config.CAUSAL_READ_WAIT_MS,
      keyTtl: config.IDEMPOTENCY_KEY_TTL_HOURS,
      sweep: config.IDEMPOTENCY_SWEEP_INTERVAL_SECONDS,
      signups: config.RATE_LIMIT_SIGNUP_PER_MINUTE,
      logins: config.RATE_LIMIT_LOGIN_PER_MINUTE,
      loopDelay: config.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
      hashes: config.PRESSURE_MAX_PENDING_HASHES,
      cost: config.PASSWORD_HASH_COST,
    },
    {
      queue: 100,
      rywTtl: 86_400,
      rywWait: 5,
      keyTtl: 24,
      sweep: 60,
      signups: 60,
      logins: 600,
      loopDelay: 1000,
      hashes: 32,
      cost: 14,
    },
  );
  const bads: Record<string, string>[] = [
    { RATE_LIMIT_SIGNUP_PER_MINUTE: '-1' },
    { RATE_LIMIT_LOGIN_PER_MINUTE: 'lots' },
    { MYSQL_QUEUE_LIMIT: '0' },
    { IDEMPOTENCY_KEY_TTL_HOURS: '0' },
    { PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '1.5' },
    { CAUSAL_READ_WAIT_MS: '5000' },
  ];
  for (const bad of bads) {
    const [name] = Object.keys(bad);
    assert.match(problems({ ...base, STAGE: '1', ...bad }).join(), new RegExp(`${name}=`), name);
  }
});

test('a read-your-writes cookie secret is required where replicas or the cache serve reads', () => {
  const stage4 = {
    ...base,
    STAGE: '4',
    MYSQL_REPLICAS: '127.0.0.12:8307',
    MEMCACHED_SERVERS: '127.0.0.22:8250',
    REDIS_URL: 'redis://127.0.0.21:8379',
    S3_BUCKET: 'b-1',
    S3_ACCESS_KEY_ID: 'k',
    S3_SECRET_ACCESS_KEY: 's',
    CDN_URL: 'http://127.0.0.24:8800',
    CDN_ADMIN_URL: 'http://127.0.0.24:8801',
    CDN_PURGE_TOKEN: 'a-purge-token-of-16+',
  };
  assert.ok(problems(stage4).some((p) => p.startsWith('COOKIE_SECRET')));
  assert.deepEqual(problems({ ...stage4, COOKIE_SECRET: 'x'.repeat(16) }), []);
  assert.deepEqual(problems({ ...stage4, READ_YOUR_WRITES_TTL_SECONDS: '0' }), []);
  assert.match(problems({ ...stage4, COOKIE_SECRET: 'short' }).join(), /COOKIE_SECRET=\(hidden\)/);
});

test('replica outlier settings: defaults, bounds and their relation are checked', () => {
  const config = loadWebConfig({ ...base, STAGE: '1' });
  assert.deepEqual(
    [
      config.DB_REPLICA_PROBE_INTERVAL_MS,
      config.DB_REPLICA_MAX_LATENCY_MS,
      config.DB_REPLICA_OUTLIER_FACTOR,
      config.DB_REPLICA_OUTLIER_MIN_MS,
      config.DB_REPLICA_MAX_LAG_MS,
      config.DB_LATENCY_DECAY_MS,
    ],
    [500, 1000, 5, 500, 5000, 1000],
  );
  assert.deepEqual(problems({ ...base, STAGE: '1', DB_REPLICA_PROBE_INTERVAL_MS: '0' }), []);
  const bads: [Record<string, string>, RegExp][] = [
    [{ DB_REPLICA_OUTLIER_FACTOR: '1' }, /DB_REPLICA_OUTLIER_FACTOR=/],
    [{ DB_REPLICA_MAX_LAG_MS: 'soon' }, /DB_REPLICA_MAX_LAG_MS=/],
    [{ DB_REPLICA_PROBE_INTERVAL_MS: '10' }, /DB_REPLICA_PROBE_INTERVAL_MS must be 0/],
    [
      { DB_REPLICA_OUTLIER_MIN_MS: '2000', DB_REPLICA_MAX_LATENCY_MS: '1000' },
      /DB_REPLICA_OUTLIER_MIN_MS must not exceed DB_REPLICA_MAX_LATENCY_MS/,
    ],
  ];
  for (const [bad, message] of bads)
    assert.match(problems({ ...base, STAGE: '1', ...bad }).join(), message);
});

test('MYSQL_SHARD_REPLICAS: one group of replicas per shard server', () => {
  const sharded = {
    ...base,
    STAGE: '1',
    SHARDS: '2',
    MYSQL_SHARDS: '127.0.0.190:8310,127.0.0.191:8311',
  };
  const ok = loadWebConfig({
    ...sharded,
    MYSQL_SHARD_REPLICAS: '127.0.0.198:8318,127.0.0.199:8319;127.0.0.200:8320',
  });
  assert.deepEqual(
    ok.MYSQL_SHARD_REPLICAS.map((g) => g.map((r) => r.port)),
    [[8318, 8319], [8320]],
  );
  assert.deepEqual(loadWebConfig(sharded).MYSQL_SHARD_REPLICAS, []);
  assert.ok(
    problems({ ...sharded, MYSQL_SHARD_REPLICAS: '127.0.0.198:8318' }).some((p) =>
      p.startsWith('MYSQL_SHARD_REPLICAS needs one group per shard server (2), has 1'),
    ),
  );
  assert.ok(
    problems({ ...sharded, MYSQL_SHARD_REPLICAS: '127.0.0.198:8318;nope' }).some((p) =>
      p.startsWith('MYSQL_SHARD_REPLICAS'),
    ),
  );
});
