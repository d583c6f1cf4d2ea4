/** What a fault drill reports from a mixed load's outcomes: failures, by code, and recovery time. */
import type { Outcome } from '../../loadtest/mixed-load/load.ts';

export interface DrillFigures {
  readonly requests: number;
  /** No response, or a 5xx. */
  readonly failed: number;
  /** Answers other than 2xx/3xx by `status code` (e.g. `503 LB_ERR_NO_BACKEND`, `0 ECONNRESET`). */
  readonly byCode: Record<string, number>;
  /** ms from `faultAt` to the end of the last failed request; 0 when nothing failed. */
  readonly recoveredAfterMs: number;
}

/** Counts what went wrong among the requests that ended after `faultAt`. */
export function figures(outcomes: readonly Outcome[], faultAt = 0): DrillFigures {
  const byCode: Record<string, number> = {};
  let failed = 0;
  let last = faultAt;
  let requests = 0;
  for (const o of outcomes) {
    if (o.at + o.ms < faultAt) continue;
    requests++;
    if (o.status !== 0 && o.status < 400) continue;
    const key = `${o.status} ${o.code}`;
    byCode[key] = (byCode[key] ?? 0) + 1;
    if (o.status !== 0 && o.status < 500) continue;
    failed++;
    last = Math.max(last, o.at + o.ms);
  }
  return { requests, failed, byCode, recoveredAfterMs: failed === 0 ? 0 : last - faultAt };
}
