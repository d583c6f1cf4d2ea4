/**
 * One attempt of the undici engine: undici's dispatch callbacks become the attempt's reports
 * (AttemptEvents), the response body is streamed into the client's response with backpressure.
 * With a request body, the response-head deadline starts when the body has been handed over and
 * also applies while the backend stops taking the body (RelayEvents); undici's own is off for it.
 */
import type { Dispatcher } from 'undici';
import type { AttemptEvents, AttemptHandle, Upstream } from '../engine.ts';
import type { RelayEvents } from './body-relay.ts';

const timeout = (message: string): Error =>
  Object.assign(new Error(message), { code: 'LB_HEADERS_TIMEOUT' });

export class UndiciAttempt<U extends Upstream>
  implements Dispatcher.DispatchHandler, AttemptHandle, RelayEvents
{
  readonly #u: U;
  readonly #attempt: number;
  readonly #events: AttemptEvents<U>;
  readonly #headersMs: number;
  #abort: ((err?: Error) => void) | null = null;
  #aborted = false;
  #resume: (() => void) | null = null;
  #onDrain: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(u: U, attempt: number, events: AttemptEvents<U>, headersMs: number) {
    this.#u = u;
    this.#attempt = attempt;
    this.#events = events;
    this.#headersMs = headersMs;
  }

  abort(error: Error): void {
    this.#aborted = true;
    this.#abort?.(error);
  }

  sent(): void {
    this.#startTimer('no response head in time after the request was sent');
  }

  stalled(stalled: boolean): void {
    if (stalled) this.#startTimer('the backend stopped reading the request body');
    else this.#stopTimer();
  }

  #startTimer(message: string): void {
    this.#stopTimer();
    this.#timer = setTimeout(() => this.abort(timeout(message)), this.#headersMs);
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#aborted) abort();
    else this.#abort = abort;
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    this.#stopTimer();
    this.#resume = resume;
    return this.#events.head(this.#u, this.#attempt, status, raw);
  }

  onData(chunk: Buffer): boolean {
    const res = this.#u.res;
    if (res.write(chunk)) return true;
    if (this.#onDrain === null) {
      this.#onDrain = () => this.#resume?.();
      res.on('drain', this.#onDrain);
    }
    return false;
  }

  onComplete(): void {
    this.#done();
    this.#events.end(this.#u, this.#attempt);
  }

  onError(error: Error): void {
    this.#done();
    this.#events.error(this.#u, this.#attempt, error);
  }

  #done(): void {
    this.#stopTimer();
    if (this.#onDrain !== null) this.#u.res.off('drain', this.#onDrain);
  }
}
