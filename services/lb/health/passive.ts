/**
 * Passive health: what one finished attempt says about its backend. A refused or timed-out connect
 * ejects it at once; `limit` consecutive 5xx responses, resets or response timeouts eject it too
 * (0 turns that off); any other response resets the streak. Returns true when it should be ejected.
 */
import type { Failure } from '../retry/classify.ts';

export interface Streak {
  failures: number;
}

export function observeStatus(streak: Streak, status: number, limit: number): boolean {
  if (status < 500) {
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
