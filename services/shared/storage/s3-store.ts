/**
 * Objects in a private S3 bucket (stage 2+: "static files and uploads move to the object store").
 * Network and server failures become StorageUnavailableError (503); a missing key is undefined.
 */
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectStore, StoredObject } from './object-store.ts';
import { StorageUnavailableError } from './object-store.ts';

/** A key no upload or asset ever has (not under a public prefix): the readiness probe's. */
const READINESS_KEY = 'health/readiness-probe';

const isNotFound = (error: unknown): boolean => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3';
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.#client = client;
    this.#bucket = bucket;
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.#call(() =>
      this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
        }),
      ),
    );
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return {
        body: out.Body as Readable,
        contentType: out.ContentType ?? 'application/octet-stream',
        contentLength: out.ContentLength ?? 0,
        etag: out.ETag ?? '',
        lastModified: out.LastModified,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new StorageUnavailableError((error as Error).message, { cause: error });
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw new StorageUnavailableError((error as Error).message, { cause: error });
    }
  }

  async delete(key: string): Promise<void> {
    await this.#call(() =>
      this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key })),
    );
  }

  /**
   * Readiness: the store answers for this bucket. A GET of a key that never exists: `NoSuchKey`
   * proves the store and the bucket (a missing bucket says `NoSuchBucket`), and costs one lookup.
   * Not HeadBucket: s3rver answers it as a listing, reading every object's metadata — with every
   * web server probing each second that saturated the store and starved uploads and workers.
   */
  async check(): Promise<void> {
    try {
      const out = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: READINESS_KEY }),
      );
      (out.Body as Readable | undefined)?.destroy();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return;
      throw new StorageUnavailableError((error as Error).message, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new StorageUnavailableError((error as Error).message, { cause: error });
    }
  }
}
