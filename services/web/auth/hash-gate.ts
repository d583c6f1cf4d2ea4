/**
 * Sheds password work before it queues without bound. scrypt runs on libuv's small thread pool
 * (4 threads by default, shared with fs and DNS), so a burst of sign-ups and logins would queue
 * there invisibly while every request waits. Past `maxPending` hashes in flight in this process,
 * new ones are refused at once with 503 and Retry-After. 0 means no bound.
 */
import { HttpError } from '../../shared/http-error.ts';

export class HashGate {
  readonly #max: number;
  #pending = 0;

  constructor(maxPending: number) {
    this.#max = maxPending;
  }

  get pending(): number {
    return this.#pending;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#max > 0 && this.#pending >= this.#max) {
      throw new HttpError(
        503,
        'WEB_ERR_OVERLOADED',
        'too many sign-ups and logins in progress, try again shortly',
        { 'retry-after': '1' },
      );
    }
    this.#pending += 1;
    try {
      return await work();
    } finally {
      this.#pending -= 1;
    }
  }
}
