/**
 * Polls an async check until it succeeds or a deadline passes. Used wherever something waits for a
 * server to come up (the native runner's readiness probes, the setup service's database waits):
 * every attempt carries its own timeout inside `check`, and the whole wait is bounded here.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this many milliseconds in total. */
  readonly timeoutMs: number;
  /** Pause between attempts (milliseconds). */
  readonly intervalMs?: number;
  /** What is being waited for, used in the error message. */
  readonly what: string;
  readonly signal?: AbortSignal;
}

export class WaitTimeoutError extends Error {
  readonly code = 'WAIT_ERR_TIMEOUT';
  readonly lastError: unknown;
  constructor(what: string, timeoutMs: number, lastError: unknown) {
    const reason = lastError instanceof Error ? lastError.message : String(lastError ?? '');
    super(
      `${what}: not ready after ${(timeoutMs / 1000).toFixed(1)} s${reason ? ` (${reason})` : ''}`,
    );
    this.name = 'WaitTimeoutError';
    this.lastError = lastError;
  }
}

/** Resolves with the first successful result of `check`; throws WaitTimeoutError at the deadline. */
export async function waitUntil<T>(check: () => Promise<T>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitTimeoutError(options.what, options.timeoutMs, lastError);
    await sleep(Math.min(interval, left), undefined, { signal: options.signal });
  }
}
