import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRunnerConfig } from '../../../runner/plan/config.ts';
import { ConfigError } from '../../../services/shared/config/env.ts';

test('defaults: .stack under the repository, port base 8000, foreground, streamed logs', () => {
  const c = parseRunnerConfig({ PATH: '/bin' }, '/repo');
  assert.equal(c.stackDir, '/repo/.stack');
  assert.equal(c.portBase, 8000);
  assert.equal(c.detach, false);
  assert.equal(c.logs, 'stream');
  assert.equal(c.flags.stage, 4);
  assert.equal(c.externalS3, undefined);
  assert.deepEqual(c.baseEnv, { PATH: '/bin' });
  assert.ok(Object.isFrozen(c));
});

test('explicit values, an absolute stack dir, and an external S3 endpoint', () => {
  const c = parseRunnerConfig(
    {
      STAGE: '2',
      STACK_DIR: '/var/tmp/s',
      STACK_PORT_BASE: '12000',
      STACK_DETACH: 'true',
      S3_ENDPOINT: 'http://minio.local:9000/',
      S3_ACCESS_KEY_ID: 'k',
      S3_SECRET_ACCESS_KEY: 'secret-value',
    },
    '/repo',
  );
  assert.equal(c.stackDir, '/var/tmp/s');
  assert.equal(c.portBase, 12000);
  assert.equal(c.detach, true);
  assert.deepEqual(c.externalS3, {
    endpoint: 'http://minio.local:9000',
    accessKeyId: 'k',
    secretAccessKey: 'secret-value',
    bucket: 'scaling-lab',
    region: 'us-east-1',
  });
});

test('every bad variable is named at once, flags included', () => {
  try {
    parseRunnerConfig(
      { STAGE: '9', STACK_PORT_BASE: '65000', STACK_DETACH: 'yes', LB_ALGORITHM: 'fastest' },
      '/repo',
    );
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const text = error.problems.join('\n');
    for (const name of ['STAGE', 'STACK_PORT_BASE', 'STACK_DETACH', 'LB_ALGORITHM'])
      assert.match(text, new RegExp(name));
  }
  assert.throws(
    () => parseRunnerConfig({ S3_ENDPOINT: 'http://x:9000' }, '/repo'),
    /S3_ACCESS_KEY_ID is required when S3_ENDPOINT is set/,
  );
});

test('the web settings in WEB_SETTINGS are collected for the web servers; nothing else is', () => {
  const c = parseRunnerConfig(
    {
      PATH: '/bin',
      RATE_LIMIT_LOGIN_PER_MINUTE: '0',
      MYSQL_PASSWORD: 'x',
      PRESSURE_MAX_PENDING_HASHES: '',
    },
    '/repo',
  );
  assert.deepEqual(c.webEnv, { RATE_LIMIT_LOGIN_PER_MINUTE: '0' });
});
