import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

const external = {
  endpoint: 'http://minio.example:9000',
  bucket: 'lab',
  region: 'eu-west-1',
  accessKeyId: 'AKIA',
};

test('an external S3 endpoint replaces the s3 service and is wired to its users', () => {
  const plan = planStack(
    resolveFlags({ STAGE: '2' }),
    { mode: 'native', portBase: 9000, stackDir: '/s' },
    { externalS3: external },
  );
  assert.ok(!plan.services.some((s) => s.kind === 's3'));
  for (const name of ['setup', 'web-1']) {
    const env = plan.services.find((s) => s.name === name)?.env ?? {};
    assert.equal(env.S3_ENDPOINT, external.endpoint, name);
    assert.equal(env.S3_BUCKET, 'lab', name);
    assert.equal(env.S3_REGION, 'eu-west-1', name);
    assert.equal(env.S3_ACCESS_KEY_ID, 'AKIA', name);
    assert.equal(env.S3_SECRET_ACCESS_KEY_FILE, '/s/secrets/s3-secret-access-key', name);
  }
  assert.deepEqual(
    plan.services.find((s) => s.name === 'setup')?.dependsOn,
    ['mysql-primary'],
    'setup no longer waits for a local s3',
  );
});

test('without STORAGE=s3 the external endpoint is not used at all', () => {
  const plan = planStack(
    resolveFlags({ STAGE: '1' }),
    { mode: 'native', portBase: 9000, stackDir: '/s' },
    { externalS3: external },
  );
  assert.equal(plan.services.find((s) => s.name === 'web-1')?.env.S3_ENDPOINT, undefined);
});
