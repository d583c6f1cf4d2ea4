/**
 * When the primary starts another worker after one crashed: after a pause, and not at all once
 * too many crashed within a window (a worker that cannot run would otherwise be forked forever).
 */
export const RESPAWN_DELAY_MS = 1000;
export const CRASH_WINDOW_MS = 60_000;
export const MAX_CRASHES = 5;

export class CrashWindow {
  readonly #times: number[] = [];
  readonly #max: number;
  readonly #windowMs: number;

  constructor(max = MAX_CRASHES, windowMs = CRASH_WINDOW_MS) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  /** Records a crash at `now` (ms); true if it is the max-th within the window: give up. */
  record(now: number): boolean {
    this.#times.push(now);
    while (this.#times.length > 0 && (this.#times[0] as number) <= now - this.#windowMs)
      this.#times.shift();
    return this.#times.length >= this.#max;
  }
}
