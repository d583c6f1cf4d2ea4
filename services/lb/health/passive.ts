/**
 * Passive health: what one finished attempt says about its backend (Envoy's
 * consecutive_gateway_failure). A refused or timed-out connect ejects it at once; `limit`
 * consecutive gateway failures — resets, response timeouts, 502 and 504 answers — eject it too
 * (0 turns that off). Any other answer, 5xx included, resets the streak: a 503 from the app (a
 * database outage, with Retry-After) is an answer from a working server, not a broken one.
 * Returns true when the backend should be ejected.
 */
import type { Failure } from '../retry/classify.ts';

export interface Streak {
  failures: number;
}

/** Statuses that say the backend could not reach what is behind it: a gateway failure. */
export const isGatewayFailure = (status: number): boolean => status === 502 || status === 504;

export function observeStatus(streak: Streak, status: number, limit: number): boolean {
  if (!isGatewayFailure(status)) {
    streak.failures = 0;
    return false;
  }
  streak.failures++;
  return limit > 0 && streak.failures >= limit;
}

export function observeFailure(streak: Streak, failure: Failure, limit: number): boolean {
  if (failure === 'refused' || failure === 'connect-timeout') return true;
  if (failure === 'body-timeout' || failure === 'other') return false;
  streak.failures++;
  return limit > 0 && streak.failures >= limit;
}
