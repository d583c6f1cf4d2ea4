/**
 * What the benchmark measures against: its own s3rver (the native store) with a fresh bucket and
 * key pair, and the CDN edge in front of it, each pinned to the target CPU. Objects are put with
 * the S3 client; the edge's origin fetches are read from its metrics.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../services/shared/s3-client.ts';
import { node, type Started } from '../bench-lb/procs.ts';

export const HOST = '127.0.0.1';
const BUCKET = 'bench-cdn';
const ACCESS_KEY = 'benchcdn';

export interface Targets {
  /** s3rver's URL of an object (anonymous reads: s3rver does not enforce the bucket's ACL). */
  readonly storeUrl: (key: string) => string;
  readonly cdnUrl: (key: string) => string;
  readonly storePid: number;
  readonly cdnPid: number;
  cdnOriginFetches(): Promise<number>;
  stop(): Promise<void>;
}

async function until(what: string, check: () => Promise<boolean>, lines: () => string[]) {
  const deadline = Date.now() + 20_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not start:\n${lines().join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startTargets(
  ports: { store: number; cdn: number; admin: number },
  cpu: number,
  objects: ReadonlyMap<string, Buffer>,
): Promise<Targets> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cdn-s3-'));
  const secret = randomBytes(16).toString('hex');
  const store: Started = node('../../runner/s3rver/server', [], {
    cpu,
    env: {
      S3RVER_HOST: HOST,
      S3RVER_PORT: String(ports.store),
      S3RVER_DIR: dir,
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: secret,
      LOG_LEVEL: 'warn',
    },
  });
  const endpoint = `http://${HOST}:${ports.store}`;
  const s3 = createS3Client({
    endpoint,
    region: 'us-east-1',
    accessKeyId: ACCESS_KEY,
    secretAccessKey: secret,
  });
  await until(
    's3rver',
    async () => (await fetch(endpoint)).status > 0,
    () => store.lines,
  );
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const [key, body] of objects)
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: 'text/css' }),
    );
  s3.destroy();
  const cdn: Started = node('../../services/cdn/server', [], {
    cpu,
    env: {
      CDN_HOST: HOST,
      CDN_PORT: String(ports.cdn),
      CDN_ADMIN_HOST: HOST,
      CDN_ADMIN_PORT: String(ports.admin),
      CDN_ID: 'cdn-bench',
      // Plain HTTP like the anchor (Varnish does not terminate TLS): the same work compared.
      CDN_TLS: 'off',
      LOG_LEVEL: 'warn',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: BUCKET,
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: secret,
      CDN_PURGE_TOKEN: randomBytes(16).toString('hex'),
    },
  });
  const cdnBase = `http://${HOST}:${ports.cdn}`;
  await until(
    'the CDN edge',
    async () => (await fetch(`${cdnBase}/health/ready`)).ok,
    () => cdn.lines,
  );
  return {
    storeUrl: (key) => `${endpoint}/${BUCKET}/${key}`,
    cdnUrl: (key) => `${cdnBase}/files/${key}`,
    storePid: store.proc.pid ?? 0,
    cdnPid: cdn.proc.pid ?? 0,
    async cdnOriginFetches() {
      const text = await (await fetch(`http://${HOST}:${ports.admin}/metrics`)).text();
      return [...text.matchAll(/^cdn_origin_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
    },
    async stop() {
      await cdn.stop();
      await store.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
