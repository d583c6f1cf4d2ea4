import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../services/shared/config/env.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';
import { loadWebConfig } from '../../../services/web/config.ts';
import { loadWorkerConfig } from '../../../services/worker/config.ts';

const problems = (load: () => unknown): readonly string[] => {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

const WORKER = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  MYSQL_PRIMARY: '127.0.0.1:3306',
  MYSQL_PASSWORD: 'pw',
  S3_BUCKET: 'scaling-lab',
  S3_ACCESS_KEY_ID: 'key',
  S3_SECRET_ACCESS_KEY: 'secret',
};

test('the worker config: product defaults, and every missing variable named', () => {
  const config = loadWorkerConfig(WORKER);
  assert.equal(config.QUEUE_NAME, 'thumbnails');
  assert.equal(config.WORKER_LOCK_MS, 15_000);
  assert.equal(config.WORKER_JOB_TIMEOUT_MS, 30_000);
  assert.equal(config.IMAGE_MAX_PIXELS, 40_000_000);
  assert.equal(config.s3.bucket, 'scaling-lab');
  assert.deepEqual(
    problems(() => loadWorkerConfig({ MYSQL_PRIMARY: '127.0.0.1:3306', MYSQL_PASSWORD: 'pw' })),
    [
      'REDIS_URL is required: the job queue lives in Redis',
      'S3_BUCKET is required for the thumbnail worker (uploads live in the S3 store)',
      'S3_ACCESS_KEY_ID is required for the thumbnail worker (uploads live in the S3 store)',
      'S3_SECRET_ACCESS_KEY is required for the thumbnail worker (uploads live in the S3 store)',
    ],
  );
  assert.ok(
    problems(() =>
      loadWorkerConfig({
        ...WORKER,
        WORKER_BACKOFF_BASE_MS: '5000',
        WORKER_BACKOFF_MAX_MS: '1000',
      }),
    ).some((p) => p.includes('WORKER_BACKOFF_MAX_MS')),
  );
  assert.ok(problems(() => loadWorkerConfig({ ...WORKER, WORKER_CONCURRENCY: '0' })).length === 1);
});

test('the web servers need Redis for the queue and a thumbnailUrl size among the sizes', () => {
  const web = {
    STAGE: '6',
    MYSQL_PRIMARY: '127.0.0.1:3306',
    MYSQL_REPLICAS: '127.0.0.1:3307',
    MYSQL_SHARDS: '127.0.0.190:3310,127.0.0.191:3311',
    MYSQL_PASSWORD: 'pw',
    MEMCACHED_SERVERS: '127.0.0.1:11211',
    S3_BUCKET: 'scaling-lab',
    S3_ACCESS_KEY_ID: 'key',
    S3_SECRET_ACCESS_KEY: 'secret',
    COOKIE_SECRET: 'a-cookie-secret-of-16+',
    CDN_URL: 'http://127.0.0.24:8800',
    CDN_ADMIN_URL: 'http://127.0.0.24:8801',
    CDN_PURGE_TOKEN: 'a-purge-token-of-16+',
  };
  assert.ok(problems(() => loadWebConfig(web)).some((p) => p.includes('THUMBNAILS=queue')));
  assert.ok(
    problems(() => loadWebConfig({ ...web, MYSQL_SHARDS: '127.0.0.190:3310' })).some((p) =>
      p.startsWith('MYSQL_SHARDS needs 2 host:port entries when SHARDS=2'),
    ),
  );
  // FEDERATION=on (unsharded): both function databases are required, by name.
  const federated = { ...web, STAGE: '4', FEDERATION: 'on', MYSQL_SHARDS: '' };
  const missing = problems(() => loadWebConfig(federated));
  assert.ok(missing.includes('MYSQL_POSTS is required when FEDERATION=on with SHARDS=1'));
  assert.ok(missing.includes('MYSQL_MEDIA is required when FEDERATION=on'));
  const fed = loadWebConfig({
    ...federated,
    MYSQL_POSTS: '127.0.0.14:3360',
    MYSQL_MEDIA: '127.0.0.15:3361',
    MYSQL_MEDIA_REPLICAS: '127.0.0.18:3364',
    REDIS_URL: 'redis://127.0.0.1:6379',
  });
  assert.deepEqual(fed.MYSQL_MEDIA_REPLICAS, [{ host: '127.0.0.18', port: 3364 }]);
  assert.ok(
    problems(() =>
      loadWebConfig({ ...federated, FEDERATION: 'off', MYSQL_POSTS: '127.0.0.14:3360' }),
    ).includes('MYSQL_POSTS is only for FEDERATION=on'),
  );
  const ok = loadWebConfig({ ...web, REDIS_URL: 'redis://127.0.0.1:6379' });
  assert.equal(ok.flags.thumbnails, 'queue');
  assert.deepEqual(ok.THUMBNAIL_SIZES, [128, 256, 512]);
  const redis = { ...web, REDIS_URL: 'redis://127.0.0.1:6379' };
  assert.ok(
    problems(() => loadWebConfig({ ...redis, THUMBNAIL_SIZE: '300' })).some((p) =>
      p.startsWith('THUMBNAIL_SIZE=300'),
    ),
  );
  assert.ok(problems(() => loadWebConfig({ ...redis, THUMBNAIL_SIZES: '256,256' })).length === 1);
});

test('workers natively: their own slots, boxes and ports, after the web servers', () => {
  const flags = resolveFlags({ STAGE: '6', WORKER_REPLICAS: '3' });
  const plan = planStack(flags, { mode: 'native', portBase: 20000, stackDir: '/st' });
  const workers = plan.services.filter((s) => s.kind === 'worker');
  assert.deepEqual(
    workers.map((w) => [w.name, w.host, w.ports.metrics, w.box, w.appBox]),
    [
      ['worker-1', '127.0.0.151', 20231, 'worker-1', true],
      ['worker-2', '127.0.0.152', 20232, 'worker-2', true],
      ['worker-3', '127.0.0.153', 20233, 'worker-3', true],
    ],
  );
  const webs = plan.services
    .filter((s) => s.kind === 'web' && s.standby !== true)
    .map((s) => s.name);
  for (const w of workers) {
    for (const dep of ['mysql-primary', 'redis', 's3', 'setup', ...webs])
      assert.ok(w.dependsOn.includes(dep), dep);
    assert.equal(w.env.WORKER_ID, w.name);
    assert.equal(w.env.METRICS_PORT, String(w.ports.metrics));
    assert.equal(w.env.REDIS_URL, plan.services.find((s) => s.kind === 'web')?.env.REDIS_URL);
    assert.deepEqual(w.secrets, ['mysql-password', 's3-secret-access-key']);
  }
  const inline = planStack(resolveFlags({ STAGE: '4' }), {
    mode: 'native',
    portBase: 20000,
    stackDir: '/st',
  });
  assert.ok(!inline.services.some((s) => s.kind === 'worker'), 'no workers with THUMBNAILS=inline');
  const compose = planStack(flags, { mode: 'compose' }).services.filter((s) => s.kind === 'worker');
  assert.deepEqual(
    compose.map((s) => [s.name, s.ports.metrics]),
    [['worker', 9100]],
  );
});
