/**
 * When a process the runner started dies unexpectedly: how long to wait before starting it again
 * (exponential backoff, 1 s doubling to 30 s) and when to give up (5 crashes within 120 s), like
 * compose's `restart: unless-stopped` with Docker's backoff. Pure.
 */

export interface RestartPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** This many crashes within `windowMs` (the last included) and the service is given up. */
  readonly giveUpAfter: number;
  readonly windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = Object.freeze({
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  giveUpAfter: 5,
  windowMs: 120_000,
});

/** The delay before restart number `n` of a run of crashes (n ≥ 1): 1 s, 2 s, 4 s, … ≤ max. */
export function backoffMs(n: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  const exponent = Math.max(0, Math.min(30, n - 1));
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}

export type CrashDecision =
  | { readonly restart: true; readonly delayMs: number; readonly recent: readonly number[] }
  | { readonly restart: false; readonly recent: readonly number[] };

/**
 * After a crash at `now`: the crash times still inside the window (this one included), and
 * whether to restart (after which delay) or give up.
 */
export function afterCrash(
  earlier: readonly number[],
  now: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): CrashDecision {
  const recent = [...earlier.filter((at) => now - at < policy.windowMs), now];
  if (recent.length >= policy.giveUpAfter) return { restart: false, recent };
  return { restart: true, delayMs: backoffMs(recent.length, policy), recent };
}
