/**
 * The thumbnail job: what the web servers (and the outbox sweeper) put on the queue and the worker
 * takes off it. One job per upload, named after the media row (`media-<id>`), so adding it twice
 * while it exists is a no-op; its output keys derive from the original's key, so running it twice
 * writes the same objects. Pure.
 */
import { isObjectKey } from '../storage/keys.ts';

/** A media row's thumbnail state, as the API shows it. */
export type ThumbnailStatus = 'pending' | 'ready' | 'failed';

export interface ThumbnailJob {
  readonly mediaId: number;
  /** The stored original (`media/<uuid>/original.<ext>`). */
  readonly objectKey: string;
  /** Thumbnail sizes to make, in pixels (each fits in size×size). */
  readonly sizes: readonly number[];
}

export const DEFAULT_QUEUE_NAME = 'thumbnails';
export const THUMBNAIL_JOB_NAME = 'thumbnail';
/** The custom backoff the worker computes (capped exponential with jitter, see backoff.ts). */
export const BACKOFF_TYPE = 'capped-jitter';

export const MIN_THUMBNAIL_SIZE = 16;
export const MAX_THUMBNAIL_SIZE = 2048;

/**
 * Retries of a transient failure (object store or database down, a timeout). With the worker's
 * default backoff (1 s doubling to at most 60 s) 15 attempts ride out an outage of about 9 minutes.
 */
export const JOB_ATTEMPTS = 15;

/** BullMQ job ids may not be plain integers, hence the prefix. */
export const jobIdOf = (mediaId: number): string => `media-${mediaId}`;

/** Options of every thumbnail job, whoever adds it. */
export const jobOptions = (job: ThumbnailJob) =>
  ({
    jobId: jobIdOf(job.mediaId),
    attempts: JOB_ATTEMPTS,
    backoff: { type: BACKOFF_TYPE },
    // Finished jobs stay a while (dedupe of late re-adds, inspection), bounded in count.
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  }) as const;

const isSize = (n: unknown): n is number =>
  Number.isInteger(n) && (n as number) >= MIN_THUMBNAIL_SIZE && (n as number) <= MAX_THUMBNAIL_SIZE;

/** Sizes as stored on the media row: `128,256,512`. */
export const formatSizes = (sizes: readonly number[]): string => sizes.join(',');

export function parseSizes(text: string): number[] | undefined {
  if (text === '') return [];
  const sizes = text.split(',').map(Number);
  return sizes.every(isSize) ? sizes : undefined;
}

/** The job's data when it is well-formed, otherwise undefined (a job no retry can fix). */
export function parseThumbnailJob(data: unknown): ThumbnailJob | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { mediaId, objectKey, sizes } = data as Record<string, unknown>;
  if (!Number.isSafeInteger(mediaId) || (mediaId as number) < 1) return undefined;
  if (typeof objectKey !== 'string' || !isObjectKey(objectKey)) return undefined;
  if (!objectKey.includes('/original.')) return undefined;
  if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > 8 || !sizes.every(isSize))
    return undefined;
  return { mediaId: mediaId as number, objectKey, sizes: sizes as number[] };
}
