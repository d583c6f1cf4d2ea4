/**
 * An S3 client for the stack's object store (s3rver natively, MinIO in compose, or any endpoint by
 * URL): path-style addressing, explicit timeouts, and checksums only where S3 requires them —
 * s3rver stores streamed uploads corrupted when the SDK adds its default trailing checksums.
 */
import { S3Client } from '@aws-sdk/client-s3';

export interface S3Access {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export function createS3Client(
  access: S3Access,
  timeouts: { readonly connectMs: number; readonly requestMs: number } = {
    connectMs: 2000,
    requestMs: 10_000,
  },
): S3Client {
  return new S3Client({
    endpoint: access.endpoint,
    region: access.region,
    forcePathStyle: true,
    credentials: { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: timeouts.connectMs, requestTimeout: timeouts.requestMs },
    maxAttempts: 2,
  });
}
