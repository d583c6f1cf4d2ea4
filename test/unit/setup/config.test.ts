import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSetupConfig } from '../../../services/setup/config.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

test('the environment the plan gives setup (natively and in compose) parses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'setup-config-'));
  const secretsDir = join(dir, 'secrets');
  mkdirSync(secretsDir);
  const values: [string, string][] = [
    ['mysql-root-password', 'root-secret-1'],
    ['mysql-password', 'app-secret-1'],
    ['mysql-replication-password', 'repl-secret-1'],
    ['s3-secret-access-key', 's3-secret-1'],
  ];
  for (const [name, value] of values) writeFileSync(join(secretsDir, name), `${value}\n`);
  const plan = planStack(resolveFlags({ STAGE: '4' }), {
    mode: 'native',
    portBase: 20000,
    stackDir: dir,
  });
  const env = plan.services.find((s) => s.name === 'setup')?.env ?? {};
  const c = parseSetupConfig(env);
  assert.deepEqual(c.primary, { host: '127.0.0.11', port: 20306 });
  assert.deepEqual(c.replicas, [
    { host: '127.0.0.12', port: 20307 },
    { host: '127.0.0.13', port: 20308 },
  ]);
  assert.equal(c.database, 'scaling_lab');
  assert.deepEqual(c.app, { user: 'app', password: 'app-secret-1' });
  assert.deepEqual(c.root, { user: 'root', password: 'root-secret-1' });
  assert.deepEqual(c.replication, { user: 'replicator', password: 'repl-secret-1' });
  assert.deepEqual(c.s3, {
    endpoint: 'http://127.0.0.23:20900',
    bucket: 'scaling-lab',
    region: 'us-east-1',
    accessKeyId: 'scalinglab',
    secretAccessKey: 's3-secret-1',
  });
});

test('missing secrets and a half-configured S3 are named', () => {
  assert.throws(
    () => parseSetupConfig({ MYSQL_PRIMARY: 'db:3306' }),
    (e: Error) =>
      /MYSQL_PASSWORD is required/.test(e.message) &&
      /MYSQL_ROOT_PASSWORD is required/.test(e.message),
  );
  assert.throws(
    () =>
      parseSetupConfig({
        MYSQL_PRIMARY: 'db:3306',
        MYSQL_PASSWORD: 'app-secret-1',
        MYSQL_ROOT_PASSWORD: 'root-secret-1',
        MYSQL_REPLICATION_PASSWORD: 'repl-secret-1',
        S3_ENDPOINT: 'http://minio:9000',
      }),
    /S3_BUCKET is required when S3_ENDPOINT is set/,
  );
});

test('FEDERATION=on: setup bootstraps mysql-posts and mysql-media with their replicas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'setup-config-'));
  const plan = planStack(resolveFlags({ STAGE: '4', FEDERATION: 'on', DB_REPLICAS: '1' }), {
    mode: 'native',
    portBase: 20000,
    stackDir: dir,
  });
  const env = plan.services.find((s) => s.name === 'setup')?.env ?? {};
  const c = parseSetupConfig({
    ...env,
    MYSQL_PASSWORD: 'app-secret-1',
    MYSQL_ROOT_PASSWORD: 'root-secret-1',
    MYSQL_REPLICATION_PASSWORD: 'repl-secret-1',
    MYSQL_PASSWORD_FILE: '',
    MYSQL_ROOT_PASSWORD_FILE: '',
    MYSQL_REPLICATION_PASSWORD_FILE: '',
    S3_SECRET_ACCESS_KEY: 's3-secret-1',
    S3_SECRET_ACCESS_KEY_FILE: '',
  });
  assert.deepEqual(c.shards, [
    { host: '127.0.0.14', port: 20360 },
    { host: '127.0.0.15', port: 20361 },
  ]);
  assert.deepEqual(c.shardReplicas, [
    [{ host: '127.0.0.16', port: 20362 }],
    [{ host: '127.0.0.18', port: 20364 }],
  ]);
});
