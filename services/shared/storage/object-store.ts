/**
 * Where uploads and static files live: this box's disk (STORAGE=local, stage 1) or an S3 bucket
 * (STORAGE=s3, stage 2+). Keys are always made by the server (see keys.ts), never by clients.
 */
import type { Readable } from 'node:stream';

export interface StoredObject {
  readonly body: Readable;
  readonly contentType: string;
  readonly contentLength: number;
  readonly etag: string;
  readonly lastModified: Date | undefined;
}

export interface ObjectStore {
  readonly kind: 'local' | 's3';
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Resolves undefined when there is no such object. */
  get(key: string): Promise<StoredObject | undefined>;
  exists(key: string): Promise<boolean>;
  /** Removes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Throws when the store cannot be reached (readiness). */
  check(): Promise<void>;
  close(): Promise<void>;
}

export class StorageUnavailableError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`object store unavailable: ${reason}`, options);
    this.name = 'StorageUnavailableError';
  }
}
