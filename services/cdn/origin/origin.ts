/**
 * The origin: the private S3 bucket, read with the edge's own key pair. One fetch reads the whole
 * object into memory (bounded by the largest object the edge caches) under one deadline that
 * covers connect, headers and body, so a paused store costs at most that long. A circuit breaker
 * fails fetches at once while the store keeps failing. A revalidation sends If-None-Match.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Breaker } from '../../shared/breaker.ts';

export interface OriginObject {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: Date | undefined;
  readonly cacheControl: string | undefined;
}

export type OriginResult =
  | { readonly kind: 'found'; readonly object: OriginObject }
  | { readonly kind: 'not-modified' }
  | { readonly kind: 'missing' };

export type OriginFailure = 'timeout' | 'unavailable' | 'too-large';

export class OriginError extends Error {
  readonly failure: OriginFailure;
  constructor(failure: OriginFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OriginError';
    this.failure = failure;
  }
}

export interface OriginOptions {
  readonly client: S3Client;
  readonly bucket: string;
  readonly timeoutMs: number;
  readonly maxObjectBytes: number;
  readonly breaker: Breaker;
}

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

async function readAll(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > limit) {
      body.destroy();
      throw new OriginError('too-large', `object larger than ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

export function createOrigin(
  o: OriginOptions,
): (key: string, etag?: string) => Promise<OriginResult> {
  const attempt = async (key: string, etag: string | undefined): Promise<OriginResult> => {
    const signal = AbortSignal.timeout(o.timeoutMs);
    try {
      const out = await o.client.send(
        new GetObjectCommand({ Bucket: o.bucket, Key: key, IfNoneMatch: etag }),
        { abortSignal: signal },
      );
      if ((out.ContentLength ?? 0) > o.maxObjectBytes) {
        (out.Body as Readable | undefined)?.destroy();
        throw new OriginError('too-large', `object larger than ${o.maxObjectBytes} bytes`);
      }
      const body = await readAll(out.Body as Readable, o.maxObjectBytes);
      return {
        kind: 'found',
        object: {
          body,
          contentType: out.ContentType ?? 'application/octet-stream',
          etag: out.ETag ?? '',
          lastModified: out.LastModified,
          cacheControl: out.CacheControl,
        },
      };
    } catch (error) {
      if (error instanceof OriginError) throw error;
      const status = statusOf(error);
      if (status === 304) return { kind: 'not-modified' };
      if (status === 404) return { kind: 'missing' };
      if (signal.aborted)
        throw new OriginError('timeout', `origin did not answer in ${o.timeoutMs} ms`, {
          cause: error,
        });
      throw new OriginError('unavailable', (error as Error).message, { cause: error });
    }
  };

  return async (key, etag) => {
    if (!o.breaker.allow()) throw new OriginError('unavailable', 'origin circuit open');
    try {
      const result = await attempt(key, etag);
      o.breaker.succeeded();
      return result;
    } catch (error) {
      if (error instanceof OriginError && error.failure !== 'too-large') o.breaker.failed();
      else o.breaker.released();
      throw error;
    }
  };
}
