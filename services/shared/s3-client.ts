/**
 * An S3 client for the stack's object store (MinIO in compose, s3rver natively, or any S3 endpoint)
 * with explicit timeouts: path-style addressing when an endpoint is given, and checksums only when
 * required — s3rver stores streamed uploads corrupted when the SDK adds its default flexible
 * checksums. Used by the web service, the setup service and the runner's readiness probe.
 */
import { S3Client } from '@aws-sdk/client-s3';

export interface S3Access {
  /** The store's URL; undefined means AWS itself (virtual-hosted addressing). */
  readonly endpoint: URL | string | undefined;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface S3Timeouts {
  /** The whole request, after which it fails (not just a logged warning). */
  readonly requestMs: number;
  readonly connectMs: number;
}

export function createS3Client(
  access: S3Access,
  timeouts: S3Timeouts = { requestMs: 10_000, connectMs: 2000 },
): S3Client {
  const endpoint = access.endpoint?.toString();
  return new S3Client({
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    region: access.region,
    credentials: { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: timeouts.connectMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: 64 },
    },
  });
}
