/**
 * DB_TOPOLOGY=master-master: is a master up, for the purpose of sending it writes? Pure.
 *
 * Three signals, whichever comes first: the master's circuit breaker is open (three statements in a
 * row failed as `down`, so a kill is noticed within a few requests under load), the last probe
 * failed as `down` (connection refused or reset: a kill noticed within one probe interval), or no
 * probe has answered for DB_MASTER_DOWN_AFTER_MS (a paused or cut-off master, which refuses
 * nothing, only stops answering). A master is up again at its first successful probe.
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
