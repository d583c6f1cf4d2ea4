/**
 * Whether a failed attempt may be retried on another backend (../shared/RELIABILITY.md):
 * - refused / connect timeout: nothing reached a backend → any method, if the body can be replayed;
 * - reset after the request may have been sent: only idempotent methods without a body;
 * - timeouts waiting for the response, other errors: never (the backend may be acting on it);
 * - never once a response byte reached the client; within the attempt limit and the retry budget.
 */
import type { Failure } from './classify.ts';

export const IDEMPOTENT: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PUT',
  'DELETE',
]);

export interface RetryInput {
  readonly failure: Failure;
  readonly method: string;
  readonly hasBody: boolean;
  /** A request body exists and can no longer be sent again (partly consumed, not buffered). */
  readonly bodyConsumed: boolean;
  readonly responseStarted: boolean;
  /** Retries already made for this request. */
  readonly retries: number;
  readonly maxRetries: number;
  readonly budgetAllows: boolean;
}

export type RetryVerdict =
  | 'retry'
  | 'response-started'
  | 'not-retryable'
  | 'unsafe-method'
  | 'body-consumed'
  | 'attempts-exhausted'
  | 'budget-exhausted';

export function decideRetry(i: RetryInput): RetryVerdict {
  if (i.responseStarted) return 'response-started';
  switch (i.failure) {
    case 'refused':
    case 'connect-timeout':
      if (i.bodyConsumed) return 'body-consumed';
      break;
    case 'reset':
      if (!IDEMPOTENT.has(i.method) || i.hasBody) return 'unsafe-method';
      break;
    default:
      return 'not-retryable';
  }
  if (i.retries >= i.maxRetries) return 'attempts-exhausted';
  if (!i.budgetAllows) return 'budget-exhausted';
  return 'retry';
}
