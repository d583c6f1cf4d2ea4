/**
 * What a drill measures from its load's outcomes (pure): errors by status and code, failures,
 * time to detect (until the affected requests stop hanging), time to recover (from the heal to
 * the end of the last failure), and latency percentiles before and during the fault.
 */
import type { Kind, Outcome } from '../mixed-load/actions.ts';

/** The moments of a drill, in ms since the load started. */
export interface Timeline {
  readonly faultAt: number;
  readonly healAt: number;
  readonly endAt: number;
}

export interface DrillFigures {
  /** Requests that ended after the fault. */
  readonly requests: number;
  /** No response, a 5xx, or the author not finding their own post (`ryw` 404). */
  readonly failed: number;
  readonly failedByKind: Partial<Record<Kind, number>>;
  /** Answers other than 2xx/3xx after the fault, by `status code` (`503 WEB_ERR_DB_UNAVAILABLE`). */
  readonly byCode: Record<string, number>;
  /** Errors before the fault (the stack's baseline), by `status code`. */
  readonly baselineByCode: Record<string, number>;
  /** From the fault to the end of the last affected request that started during it and hung. */
  readonly detectedAfterMs: number;
  /** From the heal to the end of the last failed request; 0 when none failed after the heal. */
  readonly recoveredAfterMs: number;
  /** No failure in the last `quietMs` of the run (the stack works again). */
  readonly recovered: boolean;
  readonly p99BeforeMs: number;
  readonly p99DuringMs: number;
  /** p99 of the affected kinds during the fault. */
  readonly p99AffectedMs: number;
}

/** A request that hung: longer than this (or 3× the p99 before the fault) is "not yet detected". */
export const HANG_MS = 1000;
/** The quiet tail that says the stack recovered. */
export const QUIET_MS = 2000;

export function isFailure(o: Outcome): boolean {
  if (o.status === 0 || o.status >= 500) return true;
  return o.kind === 'ryw' && o.status === 404;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, at)] ?? 0);
}

const codeOf = (o: Outcome) => `${o.status} ${o.code}`.trim();

function countCodes(list: readonly Outcome[]): Record<string, number> {
  const byCode: Record<string, number> = {};
  for (const o of list) {
    if (o.status !== 0 && o.status < 400 && !isFailure(o)) continue;
    byCode[codeOf(o)] = (byCode[codeOf(o)] ?? 0) + 1;
  }
  return byCode;
}

export function figures(
  outcomes: readonly Outcome[],
  t: Timeline,
  affected: readonly Kind[],
): DrillFigures {
  const end = (o: Outcome) => o.at + o.ms;
  const before = outcomes.filter((o) => end(o) < t.faultAt);
  const after = outcomes.filter((o) => end(o) >= t.faultAt);
  const during = outcomes.filter((o) => o.at >= t.faultAt && o.at < t.healAt);
  const isAffected = (o: Outcome) => affected.includes(o.kind);
  const failures = after.filter(isFailure);
  const failedByKind: Partial<Record<Kind, number>> = {};
  for (const o of failures) failedByKind[o.kind] = (failedByKind[o.kind] ?? 0) + 1;
  const p99Before = percentile(
    before.map((o) => o.ms),
    99,
  );
  const hangMs = Math.max(HANG_MS, 3 * p99Before);
  const hung = during.filter((o) => isAffected(o) && o.ms > hangMs);
  const detectedAt = Math.max(t.faultAt, ...hung.map(end));
  const lastFailure = Math.max(t.healAt, ...failures.map(end));
  return {
    requests: after.length,
    failed: failures.length,
    failedByKind,
    byCode: countCodes(after),
    baselineByCode: countCodes(before),
    detectedAfterMs: Math.round(detectedAt - t.faultAt),
    recoveredAfterMs: Math.round(lastFailure - t.healAt),
    recovered: !failures.some((o) => end(o) > t.endAt - QUIET_MS),
    p99BeforeMs: p99Before,
    p99DuringMs: percentile(
      during.map((o) => o.ms),
      99,
    ),
    p99AffectedMs: percentile(
      during.filter(isAffected).map((o) => o.ms),
      99,
    ),
  };
}
