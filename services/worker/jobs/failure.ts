/**
 * Whether a failed attempt is worth retrying. An image that cannot be decoded or breaks the pixel
 * or frame limits, a malformed job, or an original that is gone will fail the same way every time:
 * those fail at once. Everything else (the object store or database down, a timeout, Redis) is
 * transient and retried with backoff. Pure.
 */
import { ImageRejectedError } from '../../shared/media/image.ts';

/** A failure no retry can fix; the message is shown to users as the thumbnail's error. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export class JobTimeoutError extends Error {
  constructor(ms: number) {
    super(`the job took longer than ${ms} ms`);
    this.name = 'JobTimeoutError';
  }
}

export type Verdict = { readonly retry: false; readonly reason: string } | { readonly retry: true };

export function classifyFailure(error: unknown): Verdict {
  if (error instanceof ImageRejectedError) return { retry: false, reason: error.message };
  if (error instanceof PermanentJobError) return { retry: false, reason: error.message };
  return { retry: true };
}

/** Whether this attempt (`attemptsMade` already failed before it) was the last one allowed. */
export const lastAttempt = (attemptsMade: number, attempts: number): boolean =>
  attemptsMade + 1 >= attempts;

/** What a user sees for a thumbnail whose job gave up: short, no internals. */
export function failureMessage(verdict: Verdict): string {
  return verdict.retry
    ? 'the thumbnail could not be made in time; the image was stored'
    : verdict.reason.slice(0, 255);
}
