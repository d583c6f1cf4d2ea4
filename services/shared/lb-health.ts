/**
 * The LB's active health-check defaults, shared with the web servers: a web server told to stop
 * keeps serving (readiness 503) for longer than the LB needs to notice, so no request reaches it
 * after it stops listening.
 */
export const LB_HEALTH_DEFAULTS = {
  /** LB_HEALTH_INTERVAL_MS */
  intervalMs: 1000,
  /** LB_HEALTH_TIMEOUT_MS */
  timeoutMs: 1000,
  /** LB_HEALTH_RISE */
  rise: 2,
  /** LB_HEALTH_FALL */
  fall: 2,
} as const;

/**
 * The longest an LB with these settings takes to take a server that turned unready out of
 * rotation: `fall` failed checks one interval apart, the last one possibly taking its whole
 * timeout, plus one interval of margin for a busy machine. 4 s with the defaults.
 */
export function noticeTimeMs(h: { intervalMs: number; timeoutMs: number; fall: number }): number {
  return h.intervalMs * (h.fall + 1) + h.timeoutMs;
}
