/**
 * A part of the runner the shared stack does not exercise, on the smallest stack that shows it,
 * started through the programmatic API: an external S3 endpoint by URL instead of a local s3rver
 * (the shared stack's store plays the external one).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { startStack } from '../../../runner/stack/api.ts';
import { createS3Client } from '../../../services/shared/s3-client.ts';
import { baseStackEnv, readStackFile, readStackSecret } from '../../support/stack.ts';

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

test('an external S3 endpoint by URL replaces s3rver; setup makes the bucket there', async (t) => {
  const shared = readStackFile();
  assert.ok(shared.s3, 'the shared stack has an object store to act as the external one');
  const stackDir = tempDir('scaling-lab-ext-');
  const bucket = `ext-${randomBytes(5).toString('hex')}`;
  const secret = readStackSecret(shared, 's3-secret-access-key');
  const stack = await startStack({
    env: {
      ...baseStackEnv(),
      STAGE: '2',
      S3_ENDPOINT: shared.s3.endpoint,
      S3_ACCESS_KEY_ID: shared.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: secret,
      S3_BUCKET: bucket,
    },
    stackDir,
    portBase: 'auto',
    // The data tier and setup are enough to show it; the app is covered by its own tests.
    only: (s) => s.kind !== 'web' && s.kind !== 'lb',
  });
  t.after(async () => {
    await stack.stop();
    rmSync(stackDir, { recursive: true, force: true });
  });
  assert.ok(!stack.info.services.some((s) => s.kind === 's3'), 'no local s3rver');
  assert.deepEqual(stack.info.s3, {
    endpoint: shared.s3.endpoint,
    bucket,
    region: 'us-east-1',
    accessKeyId: shared.s3.accessKeyId,
    external: true,
  });
  const client = createS3Client({ ...shared.s3, secretAccessKey: secret });
  t.after(() => client.destroy());
  await client.send(new HeadBucketCommand({ Bucket: bucket }));
});
