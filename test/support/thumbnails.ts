/**
 * Helpers for thumbnail-queue tests: a web app with THUMBNAILS=queue on its own queue, uploads,
 * waiting for a media row to leave `pending`, listing an upload's objects in the S3 store, and a
 * BullMQ handle on the test's queue (removed from Redis when the test ends).
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Queue } from 'bullmq';
import { FormData } from 'undici';
import { createS3Client } from '../../services/shared/s3-client.ts';
import { mediaFolderOf } from '../../services/shared/storage/keys.ts';
import { waitUntil } from '../../services/shared/wait-until.ts';
import type { Client, Reply } from './http.ts';
import { readStackSecret, type StackFile } from './stack.ts';
import { loggedInClient, startTestWeb, type TestWeb } from './web-app.ts';

export interface Media {
  id: number;
  url: string;
  thumbnailUrl: string;
  thumbnails: Record<string, string>;
  thumbnail: 'pending' | 'ready' | 'failed';
  thumbnailError?: string;
}

/** Stage 6 (THUMBNAILS=queue) on a queue of its own; `env` adds or overrides variables. */
export async function startQueueWeb(t: TestContext, env: Record<string, string> = {}) {
  const web = await startTestWeb(t, {
    STAGE: '6',
    // These servers join the shared stack, which has no shard servers (stage 6 would want two).
    SHARDS: '1',
    QUEUE_NAME: `thumbnails-t-${randomBytes(4).toString('hex')}`,
    ...env,
  });
  const { client } = await loggedInClient(web);
  return { web, client, queue: testQueue(t, web) };
}

export function testQueue(t: TestContext, web: TestWeb): Queue {
  const url = web.config.REDIS_URL;
  if (url === undefined) throw new Error('no REDIS_URL');
  const { hostname, port } = new URL(url);
  const queue = new Queue(web.config.QUEUE_NAME, {
    connection: { host: hostname, port: Number(port), maxRetriesPerRequest: 1 },
  });
  queue.on('error', () => undefined);
  t.after(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  });
  return queue;
}

export function upload(client: Client, bytes: Buffer, headers: Record<string, string> = {}) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'upload.bin');
  return client.post<Media>('/api/media', { form, headers });
}

/** Polls GET /api/media/:id until the thumbnail is no longer pending. */
export async function settled(client: Client, id: number, timeoutMs = 60_000): Promise<Media> {
  return waitUntil(
    async () => {
      const reply: Reply<Media> = await client.get<Media>(`/api/media/${id}`);
      if (reply.status !== 200 || reply.body.thumbnail === 'pending')
        throw new Error(`media ${id}: ${reply.status} ${reply.body.thumbnail}`);
      return reply.body;
    },
    { what: `media ${id} thumbnail`, timeoutMs, intervalMs: 100 },
  );
}

/** Every object key in the folder of an upload (`/files/media/<uuid>/...`). */
/** The object key a media URL names, whether the app's (`/files/<key>`) or the CDN's. */
export const keyOfUrl = (url: string): string =>
  new URL(url, 'http://any').pathname.replace(/^\/files\//, '');

export async function objectsOf(stack: StackFile, mediaUrl: string): Promise<string[]> {
  if (stack.s3 === null) throw new Error('the stack has no S3 store');
  const folder = mediaFolderOf(keyOfUrl(mediaUrl));
  if (folder === undefined) throw new Error(`not a media URL: ${mediaUrl}`);
  const client = createS3Client({
    endpoint: stack.s3.endpoint,
    region: stack.s3.region,
    accessKeyId: stack.s3.accessKeyId,
    secretAccessKey: readStackSecret(stack, 's3-secret-access-key'),
  });
  try {
    const out = await client.send(
      new ListObjectsV2Command({ Bucket: stack.s3.bucket, Prefix: folder }),
    );
    return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
  } finally {
    client.destroy();
  }
}
