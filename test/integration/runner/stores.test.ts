/**
 * Redis, memcached and the S3 store of the shared stack: Redis runs with noeviction and the
 * append-only file on its own address; memcached answers on its own; s3rver accepts only the
 * stack's registered key, the bucket exists, and a streamed upload reads back byte-identical.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import {
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { tcpExchange } from '../../../runner/host/probes.ts';
import { createS3Client } from '../../../services/shared/s3-client.ts';
import { readStackFile, readStackSecret, servicesOfKind } from '../../support/stack.ts';

const stack = readStackFile();

test('Redis: noeviction, AOF on, bound to its planned address, data under the stack', async (t) => {
  const redis = servicesOfKind(stack, 'redis')[0];
  assert.ok(redis, 'the shared stack has Redis');
  const client = new Redis({
    host: redis.host,
    port: redis.ports.redis,
    connectTimeout: 3000,
    commandTimeout: 3000,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  await client.connect();
  t.after(() => client.quit());
  const config = async (name: string) => ((await client.config('GET', name)) as string[])[1];
  assert.equal(await config('maxmemory-policy'), 'noeviction');
  assert.equal(await config('appendonly'), 'yes');
  assert.equal(await config('bind'), redis.host);
  assert.equal(await config('dir'), redis.dataDir);
  assert.equal(
    await client.set(`runner-test:${randomBytes(4).toString('hex')}`, 'v', 'EX', 30),
    'OK',
  );
});

test('memcached: stores and returns a value on its planned address', async () => {
  const mc = servicesOfKind(stack, 'memcached')[0];
  assert.ok(mc?.ports.memcached !== undefined, 'the shared stack (stage 4) has memcached');
  assert.equal(mc.host, '127.0.0.22');
  const key = `runner-test-${randomBytes(4).toString('hex')}`;
  const port = mc.ports.memcached;
  assert.equal(await tcpExchange(mc.host, port, `set ${key} 0 60 2\r\nhi\r\n`, 'STORED'), 'STORED');
  assert.match(await tcpExchange(mc.host, port, `get ${key}\r\n`, 'VALUE'), /VALUE \S+ 0 2/);
  assert.match(await tcpExchange(mc.host, port, 'version\r\n', 'VERSION'), /^VERSION 1\./);
});

const s3 = stack.s3;

test('S3: the stack key works and the bucket exists; other keys are refused', async (t) => {
  assert.ok(s3, 'the shared stack has an object store');
  const secret = readStackSecret(stack, 's3-secret-access-key');
  const good = createS3Client({ ...s3, secretAccessKey: secret });
  t.after(() => good.destroy());
  const buckets = await good.send(new ListBucketsCommand({}));
  assert.ok(
    buckets.Buckets?.some((b) => b.Name === s3.bucket),
    'bucket created by setup',
  );
  await good.send(new HeadBucketCommand({ Bucket: s3.bucket }));
  for (const [accessKeyId, secretAccessKey] of [
    ['S3RVER', 'S3RVER'],
    ['someone-else', secret],
  ] as const) {
    const bad = createS3Client({ ...s3, accessKeyId, secretAccessKey });
    await assert.rejects(
      bad.send(new ListBucketsCommand({})),
      (error: { name?: string }) => error.name === 'InvalidAccessKeyId',
      accessKeyId,
    );
    bad.destroy();
  }
});

test('S3: a streamed upload reads back byte-identical', async (t) => {
  assert.ok(s3);
  const client = createS3Client({
    ...s3,
    secretAccessKey: readStackSecret(stack, 's3-secret-access-key'),
  });
  t.after(() => client.destroy());
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const key = `runner-test/${randomBytes(6).toString('hex')}.bin`;
  // A stream in uneven chunks, as an upload handler would pass it on.
  const chunks = [];
  for (let at = 0; at < data.length; at += 65_521) chunks.push(data.subarray(at, at + 65_521));
  await client.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: key,
      Body: Readable.from(chunks),
      ContentLength: data.length,
      ContentType: 'application/octet-stream',
    }),
  );
  const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  const back = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
  assert.equal(back.length, data.length);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  assert.equal(sha(back), sha(data));
});
