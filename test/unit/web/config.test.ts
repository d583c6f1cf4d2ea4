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
