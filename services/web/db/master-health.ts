/**
 * DB_TOPOLOGY=master-master: is a master up, for the purpose of sending it writes? Pure.
 *
 * Three signals, whichever comes first: the master's circuit breaker is open (three statements in a
 * row failed as `down`, so a kill is noticed within a few requests under load), the last probe
 * failed as `down` (connection refused or reset: a kill noticed within one probe interval), or no
 * probe has answered for DB_MASTER_DOWN_AFTER_MS (a paused or cut-off master, which refuses
 * nothing, only stops answering).
 *
 * Failback waits for catch-up: a master that was down takes its users back only once it has
 * applied what the other master had written (in the other master's own GTID domain) when the
 * returning master answered again and stopped being counted down (master-set.ts reads that
 * position then and waits for it), so a user's writes made on the other master meanwhile are there
 * before the user writes on it again (a retried Idempotency-Key then replays instead of writing
 * twice and stopping replication on a duplicate key).
 */

export interface MasterProbeState {
  /** performance.now() of the last probe that answered; undefined before the first. */
  readonly lastAnswerAt: number | undefined;
  /** When probing began (a master never heard from counts from then). */
  readonly since: number;
  /** The last probe failed as `down` (refused, reset), not merely slow or busy. */
  readonly lastFailed: boolean;
}

export function masterIsUp(
  state: MasterProbeState,
  breakerOpen: boolean,
  now: number,
  downAfterMs: number,
): boolean {
  if (breakerOpen || state.lastFailed) return false;
  return now - (state.lastAnswerAt ?? state.since) < downAfterMs;
}

/** The part of a GTID position (`0-1-5,2-10-7`) in one `domain` (`2-10-7`), '' when none. */
export function positionIn(pos: string, domain: number): string {
  return pos
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.startsWith(`${domain}-`))
    .join(',');
}

export interface Availability {
  readonly up: boolean;
  /** Was down and has not caught up since. */
  readonly recovering: boolean;
}

/**
 * A master's availability for writes from its answering state (`answering`: masterIsUp), whether
 * it has caught up (`caught`: caughtUp against the other master, or true when the other is down)
 * and its previous availability.
 */
export function nextAvailability(
  previous: Availability,
  answering: boolean,
  caught: boolean,
): Availability {
  if (!answering) return { up: false, recovering: true };
  if (previous.recovering && !caught) return { up: false, recovering: true };
  return { up: true, recovering: false };
}
