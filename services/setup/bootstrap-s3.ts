/**
 * Makes sure the stack's bucket exists (private, the default ACL) once the object store answers.
 * An existing bucket is left as it is.
 */
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../shared/logger.ts';
import { createS3Client } from '../shared/s3-client.ts';
import { waitUntil } from '../shared/wait-until.ts';
import type { S3Target } from './config.ts';

interface S3Failure {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const statusOf = (error: unknown): number | undefined =>
  (error as S3Failure | undefined)?.$metadata?.httpStatusCode;

async function bucketExists(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

/** Returns 1 when the bucket was created, 0 when it was already there. */
export async function bootstrapS3(
  target: S3Target,
  timeoutMs: number,
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  const client = createS3Client(target);
  try {
    const exists = await waitUntil(() => bucketExists(client, target.bucket), {
      what: `object store at ${target.endpoint}`,
      timeoutMs,
      intervalMs: 200,
      signal,
    });
    if (exists) return 0;
    log.info({ bucket: target.bucket }, 'create the bucket (private)');
    try {
      await client.send(new CreateBucketCommand({ Bucket: target.bucket, ACL: 'private' }));
    } catch (error) {
      if ((error as S3Failure).name !== 'BucketAlreadyOwnedByYou') throw error;
    }
    return 1;
  } finally {
    client.destroy();
  }
}
