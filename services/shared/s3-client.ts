/**
 * An S3 client for the stack's object store (MinIO in compose, s3rver natively, or any S3 endpoint)
 * with explicit timeouts. Checksums only when required: s3rver stores streamed uploads corrupted
 * when the SDK adds its default flexible checksums.
 */
import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  readonly endpoint: URL | undefined;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly timeoutMs: number;
}

export function createS3Client(options: S3ClientOptions): S3Client {
  return new S3Client({
    ...(options.endpoint ? { endpoint: options.endpoint.href, forcePathStyle: true } : {}),
    region: options.region,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: Math.min(options.timeoutMs, 2000),
      requestTimeout: options.timeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: 64 },
    },
  });
}
