/**
 * The sticky step of a request: finds our cookie for the pool, strips it from what the backend
 * will see, and names the backend to use when the cookie is valid and that backend takes requests
 * (pools/pool-state.ts). A value that is malformed, forged, stale or names a backend that is down
 * is ignored (the response then carries a fresh cookie for whichever backend serves it).
 */
import type { Backend } from '../pools/backend.ts';
import type { Pool } from '../pools/pool.ts';
import { isWellFormedToken, splitCookie } from './codec.ts';

export interface StickyOutcome {
  /** The cookie value the client sent (undefined when none). */
  readonly value: string | undefined;
  /** The backend to send to, or undefined to balance normally. */
  readonly backend: Backend | undefined;
  /** The Cookie header to forward, without ours ('' when nothing remains). */
  readonly rest: string;
}

const NONE: StickyOutcome = Object.freeze({ value: undefined, backend: undefined, rest: '' });

export function resolveSticky(pool: Pool, cookie: string): StickyOutcome {
  if (cookie === '') return NONE;
  const split = splitCookie(cookie, pool.cookie.needle);
  if (split.value === undefined || !isWellFormedToken(split.value))
    return { value: split.value, backend: undefined, rest: split.rest };
  const named = pool.byToken.get(split.value);
  if (named?.routable) {
    named.counters.stickyHits++;
    return { value: split.value, backend: named, rest: split.rest };
  }
  if (named !== undefined) pool.counters.stickyRedispatches++;
  return { value: split.value, backend: undefined, rest: split.rest };
}
