/**
 * A private S3 store for one test (for killing it without touching the shared stack's): the
 * runner's own s3rver process on a free loopback port with the shared stack's key pair and its own
 * data directory (so a restart keeps the objects), the bucket created, stopped when the test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { probeS3 } from '../../runner/host/probes.ts';
import { findRepoDir } from '../../runner/host/repo-dir.ts';
import { createS3Client } from '../../services/shared/s3-client.ts';
import { waitUntil } from '../../services/shared/wait-until.ts';
import { freePort } from './redis-server.ts';
import { readStackSecret, type StackFile } from './stack.ts';

export interface TestS3 {
  readonly endpoint: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Sends a signal to the running store (SIGSTOP pauses it; the test's end resumes it). */
  signal(signal: NodeJS.Signals): void;
}

export async function startTestS3(t: TestContext, stack: StackFile): Promise<TestS3> {
  if (stack.s3 === null) throw new Error('the shared stack has no S3 store');
  const { accessKeyId, region, bucket } = stack.s3;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 's3-test-'));
  const endpoint = `http://127.0.0.1:${port}`;
  const access = {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey: readStackSecret(stack, 's3-secret-access-key'),
  };
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const child = spawn(process.execPath, [join(findRepoDir(), 'dist/runner/s3rver/server.js')], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        S3RVER_HOST: '127.0.0.1',
        S3RVER_PORT: String(port),
        S3RVER_DIR: dir,
        S3_ACCESS_KEY_ID: accessKeyId,
        S3_SECRET_ACCESS_KEY_FILE: stack.secrets['s3-secret-access-key'],
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    proc = child;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitUntil(() => probeS3(access), { what: 'test S3 store', timeoutMs: 15_000 });
  };
  const kill = async () => {
    proc?.kill('SIGCONT');
    proc?.kill('SIGKILL');
    await exited;
  };
  await start();
  const client = createS3Client(access);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  t.after(async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  });
  return { endpoint, kill, start, signal: (signal) => proc?.kill(signal) };
}
