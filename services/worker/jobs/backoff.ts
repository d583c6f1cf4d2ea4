/**
 * How long a job waits before its next attempt after a transient failure: exponential from a base,
 * capped, with full jitter so jobs that failed together (the object store went down) do not all
 * come back at the same instant. Pure: `random` is injected.
 */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Delay before attempt `attemptsMade + 1`, where `attemptsMade` ≥ 1 attempts have failed. */
export function backoffDelay(
  attemptsMade: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attemptsMade - 1, 0), 30);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  // Never less than half the ceiling: a retry storm is spread out, but each job still backs off.
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
