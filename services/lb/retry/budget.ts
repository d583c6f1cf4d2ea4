/**
 * A retry budget in Envoy's style: retries in flight may be at most `percent` % of the requests in
 * flight, but at least `minConcurrent`. It stops a failing backend from turning into a retry storm
 * that doubles the load on the others. Counters only; no timers, no allocation.
 */
export class RetryBudget {
  #active = 0;
  #retrying = 0;
  readonly #percent: number;
  readonly #min: number;

  constructor(percent: number, minConcurrent: number) {
    this.#percent = percent;
    this.#min = minConcurrent;
  }

  requestStarted(): void {
    this.#active++;
  }

  requestFinished(): void {
    this.#active--;
  }

  /** Reserves a retry if the budget allows one; pair with retryFinished. */
  tryAcquire(): boolean {
    const limit = Math.max(this.#min, (this.#active * this.#percent) / 100);
    if (this.#retrying + 1 > limit) return false;
    this.#retrying++;
    return true;
  }

  retryFinished(): void {
    this.#retrying--;
  }

  get active(): number {
    return this.#active;
  }

  get retrying(): number {
    return this.#retrying;
  }
}
