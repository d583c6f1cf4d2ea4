/**
 * A real CDN edge process for one test (`node dist/services/cdn/server.js`, built by the
 * integration entry) in front of the shared stack's S3 store or a test's own, on free loopback
 * ports with the stack's purge token, serving HTTPS with the self-signed certificate it makes (its
 * default) in a temporary data directory; `ca` trusts it. Objects are put straight into the store with the S3 client;
 * origin fetches are read from the edge's metrics. Killed when the test ends if still running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { probeHttp } from '../../runner/host/probes.ts';
import { findRepoDir } from '../../runner/host/repo-dir.ts';
import { createS3Client } from '../../services/shared/s3-client.ts';
import { devCertificateFiles } from '../../services/shared/tls/dev-certificate.ts';
import { waitUntil } from '../../services/shared/wait-until.ts';
import { Client } from './http.ts';
import { freePort } from './redis-server.ts';
import { readStackSecret, type StackFile } from './stack.ts';

export interface TestCdn {
  readonly url: string;
  readonly adminUrl: string;
  readonly token: string;
  /** The edge's certificate, to trust it. */
  readonly ca: Buffer;
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  client(): Client;
  /** Origin fetches so far, by outcome (from `cdn_origin_duration_seconds_count`). */
  originFetches(): Promise<number>;
  purge(body: unknown, token?: string): Promise<{ status: number; body: unknown }>;
}

export function storeClient(stack: StackFile, endpoint?: string): S3Client {
  if (stack.s3 === null) throw new Error('the shared stack has no S3 store');
  return createS3Client({
    endpoint: endpoint ?? stack.s3.endpoint,
    region: stack.s3.region,
    accessKeyId: stack.s3.accessKeyId,
    secretAccessKey: readStackSecret(stack, 's3-secret-access-key'),
  });
}

/** A fresh upload folder's original key, so tests never share objects. */
export const freshKey = (ext = 'png'): string => `media/${randomUUID()}/original.${ext}`;

export async function putObject(
  s3: S3Client,
  stack: StackFile,
  key: string,
  body: Buffer,
  cacheControl?: string,
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: stack.s3?.bucket ?? '',
      Key: key,
      Body: body,
      ContentType: 'image/png',
      ...(cacheControl === undefined ? {} : { CacheControl: cacheControl }),
    }),
  );
}

export async function startTestCdn(
  t: TestContext,
  stack: StackFile,
  env: Record<string, string> = {},
): Promise<TestCdn> {
  if (stack.s3 === null) throw new Error('the shared stack has no S3 store');
  const [port, adminPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'test-cdn-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const proc = spawn(process.execPath, [join(findRepoDir(), 'dist/services/cdn/server.js')], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      CDN_HOST: '127.0.0.1',
      CDN_PORT: String(port),
      CDN_ADMIN_HOST: '127.0.0.1',
      CDN_ADMIN_PORT: String(adminPort),
      CDN_ID: 'cdn-test',
      CDN_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      S3_ENDPOINT: stack.s3.endpoint,
      S3_BUCKET: stack.s3.bucket,
      S3_REGION: stack.s3.region,
      S3_ACCESS_KEY_ID: stack.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY_FILE: stack.secrets['s3-secret-access-key'],
      CDN_PURGE_TOKEN_FILE: stack.secrets['cdn-purge-token'],
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const url = `https://127.0.0.1:${port}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitUntil(() => probeHttp(`${adminUrl}/health/ready`), {
    what: 'test CDN',
    timeoutMs: 15_000,
  });
  const token = readStackSecret(stack, 'cdn-purge-token');
  const ca = readFileSync(devCertificateFiles(dataDir).certFile);
  const admin = new Client(adminUrl);
  return {
    url,
    adminUrl,
    token,
    ca,
    proc,
    exited,
    client: () => new Client(url, { ca }),
    async originFetches() {
      const text = String((await admin.get('/metrics')).body);
      return [...text.matchAll(/^cdn_origin_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
    },
    async purge(body, given = token) {
      const r = await admin.post('/purge', {
        json: body,
        headers: { authorization: `Bearer ${given}` },
      });
      return { status: r.status, body: r.body };
    },
  };
}
