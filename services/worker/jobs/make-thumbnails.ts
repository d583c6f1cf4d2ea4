/**
 * One thumbnail job, start to finish: read the original from the object store, check its header
 * against the limits, make every size, store each under its derived key, mark the row ready.
 * Idempotent: the keys come from the original's key, so a second run (a retry, a job re-run after
 * its worker was killed) overwrites the same objects; a row already ready is left alone.
 */
import type { Readable } from 'node:stream';
import { type ImageLimits, inspectImage, makeThumbnails } from '../../shared/media/image.ts';
import { thumbnailKey } from '../../shared/storage/keys.ts';
import type { ObjectStore } from '../../shared/storage/object-store.ts';
import type { ThumbnailJob } from '../../shared/thumbnails/job.ts';
import type { MediaDb } from '../media-db.ts';
import { PermanentJobError } from './failure.ts';

export interface JobDeps {
  readonly media: MediaDb;
  readonly store: ObjectStore;
  readonly limits: ImageLimits;
  /** Originals larger than this are refused (the web servers' upload limit). */
  readonly maxBytes: number;
}

export type JobOutcome = 'ready' | 'skipped';

async function readAll(body: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      body.destroy();
      throw new PermanentJobError(`the original is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function makeJobThumbnails(
  job: ThumbnailJob,
  deps: JobDeps,
  signal: AbortSignal,
  progress: (stored: number) => Promise<void>,
): Promise<JobOutcome> {
  const row = await deps.media.find(job.mediaId);
  // The upload is gone (deleted, or another database's job): nothing to make.
  if (row === undefined || row.objectKey !== job.objectKey) return 'skipped';
  if (row.status === 'ready') return 'skipped';
  const object = await deps.store.get(job.objectKey);
  if (object === undefined) throw new PermanentJobError('the original is missing from the store');
  const original = await readAll(object.body, deps.maxBytes);
  signal.throwIfAborted();
  await inspectImage(original, deps.limits);
  const thumbnails = await makeThumbnails(original, job.sizes, deps.limits);
  let stored = 0;
  for (const [size, bytes] of thumbnails) {
    signal.throwIfAborted();
    await deps.store.put(thumbnailKey(job.objectKey, size), bytes, 'image/webp');
    stored += 1;
    await progress(stored);
  }
  signal.throwIfAborted();
  await deps.media.markReady(job.mediaId);
  return 'ready';
}
