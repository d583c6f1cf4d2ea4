/**
 * A small circuit breaker: after `threshold` consecutive availability failures the target is
 * considered down for `openMs`, during which callers fail at once instead of waiting for a connect
 * timeout each; then one trial request is let through (half-open). Pure apart from the clock.
 */
export interface BreakerOptions {
  readonly threshold: number;
  readonly openMs: number;
  readonly now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class Breaker {
  readonly #threshold: number;
  readonly #openMs: number;
  readonly #now: () => number;
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(options: BreakerOptions) {
    this.#threshold = options.threshold;
    this.#openMs = options.openMs;
    this.#now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.#failures < this.#threshold) return 'closed';
    return this.#now() - this.#openedAt >= this.#openMs ? 'half-open' : 'open';
  }

  /** Whether a request may go ahead now. In half-open state only one trial at a time may. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  succeeded(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
  }

  failed(): void {
    this.#trialInFlight = false;
    this.#failures += 1;
    if (this.#failures >= this.#threshold) this.#openedAt = this.#now();
  }

  /** Forget a half-open trial that ended without telling whether the target works. */
  released(): void {
    this.#trialInFlight = false;
  }
}
