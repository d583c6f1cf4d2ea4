/**
 * Publishing the static assets to the object store without holding up the start: a web server
 * starts at once and serves the assets itself, while this copies them in the background, retrying
 * with capped exponential backoff, until they are published or the server closes. A slow or
 * paused object store (or an overloaded box) can therefore never make a (re)start miss fastify's
 * plugin timeout, and a store that was down at start is used once it is back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline } from '../../shared/deadline.ts';

export interface RetryOptions {
  /** One attempt: resolves when published. */
  readonly attempt: () => Promise<number>;
  /** An attempt that has not finished by then counts as failed (the next one starts later). */
  readonly attemptTimeoutMs: number;
  /** The first pause after a failure; each next one doubles, up to `maxDelayMs`. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  readonly signal: AbortSignal;
  readonly onFailure?: (error: unknown, attempt: number, retryInMs: number) => void;
}

/** The pause after the `failures`-th failure (1-based): doubling from `first`, capped. */
export function retryDelay(failures: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
}

/** Attempts until one succeeds (its value) or the signal aborts (undefined). Never rejects. */
export async function untilPublished(options: RetryOptions): Promise<number | undefined> {
  for (let failures = 1; !options.signal.aborted; failures++) {
    try {
      return await withDeadline(options.attempt(), options.attemptTimeoutMs);
    } catch (error) {
      if (options.signal.aborted) return undefined;
      const delay = retryDelay(failures, options.firstDelayMs, options.maxDelayMs);
      options.onFailure?.(error, failures, delay);
      try {
        await sleep(delay, undefined, { signal: options.signal });
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
