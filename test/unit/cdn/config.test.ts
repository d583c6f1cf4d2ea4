import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCdnConfig } from '../../../services/cdn/config.ts';
import { ConfigError } from '../../../services/shared/config/env.ts';
import { presetGaps, resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';
import { loadWebConfig } from '../../../services/web/config.ts';

const problems = (load: () => unknown): readonly string[] => {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

const S3 = { S3_BUCKET: 'scaling-lab', S3_ACCESS_KEY_ID: 'key', S3_SECRET_ACCESS_KEY: 'secret' };
const TOKEN = 'a-purge-token-of-some-length';

test('the edge config: product defaults, every missing or bad variable named', () => {
  const config = loadCdnConfig({ ...S3, CDN_PURGE_TOKEN: TOKEN });
  assert.equal(config.CDN_CACHE_BYTES, 256 * 1024 * 1024);
  assert.equal(config.CDN_ORIGIN_TIMEOUT_MS, 10_000, 'as long as the app waits for the store');
  assert.equal(config.CDN_DEFAULT_TTL_SECONDS, 86_400);
  assert.equal(config.s3.bucket, 'scaling-lab');
  assert.equal(config.CDN_TLS, 'on', 'HTTPS by default: the pages are HTTPS');
  assert.deepEqual(
    problems(() => loadCdnConfig({ CDN_PURGE_TOKEN: 'short', CDN_CACHE_BYTES: '12' })),
    [
      'CDN_CACHE_BYTES="12": expected an integer from 1048576 to 68719476736',
      'CDN_PURGE_TOKEN=(hidden): expected a token of 16 to 256 non-space characters',
    ],
  );
  assert.deepEqual(
    problems(() => loadCdnConfig({ CDN_PURGE_TOKEN: TOKEN })),
    [
      'S3_BUCKET is required for the CDN edge (it fronts the S3 store)',
      'S3_ACCESS_KEY_ID is required for the CDN edge (it fronts the S3 store)',
      'S3_SECRET_ACCESS_KEY is required for the CDN edge (it fronts the S3 store)',
    ],
  );
  assert.deepEqual(
    problems(() =>
      loadCdnConfig({
        ...S3,
        CDN_PURGE_TOKEN: TOKEN,
        CDN_CACHE_BYTES: String(2 * 1024 * 1024),
        CDN_MAX_OBJECT_BYTES: String(4 * 1024 * 1024),
      }),
    ),
    ['CDN_MAX_OBJECT_BYTES must not exceed CDN_CACHE_BYTES'],
  );
  assert.deepEqual(
    problems(() => loadCdnConfig({ ...S3, CDN_PURGE_TOKEN: TOKEN, CDN_TLS_CERT_FILE: '/c.pem' })),
    ['CDN_TLS_CERT_FILE and CDN_TLS_KEY_FILE are set together or not at all'],
  );
  assert.deepEqual(
    problems(() => loadCdnConfig({ ...S3, CDN_PURGE_TOKEN: TOKEN, CDN_TLS: 'yes' })),
    ['CDN_TLS="yes": expected one of on, off'],
  );
});

test('stage 3 and above run the CDN; CDN=on needs the S3 store', () => {
  for (const stage of ['1', '2']) assert.equal(resolveFlags({ STAGE: stage }).cdn, 'off');
  for (const stage of ['3', '4', '5', '6']) assert.equal(resolveFlags({ STAGE: stage }).cdn, 'on');
  assert.ok(!presetGaps(3).some((gap) => gap.startsWith('CDN')));
  assert.ok(problems(() => resolveFlags({ STAGE: '1', CDN: 'on' }))[0]?.includes('STORAGE=s3'));
});

test('the plan: the edge at 127.0.0.24 base+800/801, and the web servers told where it is', () => {
  const native = { mode: 'native', portBase: 20000, stackDir: '/tmp/s' } as const;
  const plan = planStack(resolveFlags({ STAGE: '3' }), native);
  const cdn = plan.services.find((s) => s.kind === 'cdn');
  assert.equal(cdn?.host, '127.0.0.24');
  assert.deepEqual(cdn?.ports, { http: 20800, admin: 20801 });
  assert.deepEqual(cdn?.secrets, ['s3-secret-access-key', 'cdn-purge-token']);
  assert.equal(cdn?.env.S3_ENDPOINT, 'http://127.0.0.23:20900');
  assert.equal(cdn?.env.MYSQL_PRIMARY, undefined, 'the edge knows only the store');
  const web = plan.services.find((s) => s.name === 'web-1');
  assert.equal(web?.env.CDN_URL, 'https://127.0.0.24:20800', 'HTTPS like the page');
  assert.equal(cdn?.env.CDN_TLS_CERT_FILE, '/tmp/s/lb/data/dev-cert.pem', 'the LB’s certificate');
  assert.equal(cdn?.env.CDN_TLS_KEY_FILE, '/tmp/s/lb/data/dev-key.pem');
  assert.equal(web?.env.CDN_ADMIN_URL, 'http://127.0.0.24:20801');
  assert.equal(web?.env.CDN_PURGE_TOKEN_FILE, '/tmp/s/secrets/cdn-purge-token');
  const off = planStack(resolveFlags({ STAGE: '3', CDN: 'off' }), native);
  assert.ok(!off.services.some((s) => s.kind === 'cdn'));
  assert.equal(off.services.find((s) => s.name === 'web-1')?.env.CDN_URL, undefined);
  const compose = planStack(resolveFlags({ STAGE: '4' }), { mode: 'compose' });
  assert.equal(
    compose.services.find((s) => s.name === 'web')?.env.CDN_URL,
    'https://localhost:8800',
  );
  const composeCdn = compose.services.find((s) => s.kind === 'cdn');
  assert.equal(composeCdn?.env.CDN_DATA_DIR, '/data', 'in compose it makes its own certificate');
  assert.equal(composeCdn?.env.CDN_TLS_CERT_FILE, undefined);
});

test('the web servers need the edge’s addresses and token when CDN=on', () => {
  const base = {
    MYSQL_PRIMARY: '127.0.0.1:3306',
    MYSQL_PASSWORD: 'pw',
    STAGE: '2',
    CDN: 'on',
    ...S3,
  };
  assert.deepEqual(
    problems(() => loadWebConfig(base)),
    [
      'CDN_URL is required when CDN=on (the app links to the edge and purges it)',
      'CDN_ADMIN_URL is required when CDN=on (the app links to the edge and purges it)',
      'CDN_PURGE_TOKEN is required when CDN=on (the app links to the edge and purges it)',
    ],
  );
  const config = loadWebConfig({
    ...base,
    CDN_URL: 'http://127.0.0.24:8800',
    CDN_ADMIN_URL: 'http://127.0.0.24:8801',
    CDN_PURGE_TOKEN: TOKEN,
  });
  assert.equal(config.CDN_URL?.origin, 'http://127.0.0.24:8800');
});
