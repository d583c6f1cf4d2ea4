/**
 * The expectations of RELIABILITY.md as checks over a drill's measurements (pure): each says what
 * is expected, what was measured, and whether it holds.
 */
import type { LedgerVerdict } from '../ledger/verdict.ts';
import type { Kind, Outcome } from '../mixed-load/actions.ts';
import { type DrillFigures, isFailure, percentile, QUIET_MS, type Timeline } from './figures.ts';

export interface Measured {
  readonly outcomes: readonly Outcome[];
  readonly timeline: Timeline;
  readonly figures: DrillFigures;
  readonly ledger: LedgerVerdict;
  /** Facts the fault itself observed (`restartedInMs`, `exitedInMs`, ...). */
  readonly observed: Readonly<Record<string, number>>;
  readonly users: number;
}

export interface CheckResult {
  readonly expect: string;
  readonly measured: string;
  readonly pass: boolean;
}

export type Check = (m: Measured) => CheckResult;

const afterFault = (m: Measured, kinds?: readonly Kind[]) =>
  m.outcomes.filter(
    (o) => o.at + o.ms >= m.timeline.faultAt && (kinds === undefined || kinds.includes(o.kind)),
  );
const names = (kinds?: readonly Kind[]) => (kinds ? kinds.join('/') : 'all');

export const noFailures =
  (kinds?: readonly Kind[]): Check =>
  (m) => {
    const failed = afterFault(m, kinds).filter(isFailure).length;
    return {
      expect: `${names(kinds)}: zero 5xx`,
      measured: `${failed} failed`,
      pass: failed === 0,
    };
  };

/** Only requests in flight at the fault may fail (one per user at most), under `rate` overall. */
export const onlyInFlightFail =
  (rate: number): Check =>
  (m) => {
    const { failed, requests } = m.figures;
    const share = requests === 0 ? 0 : failed / requests;
    return {
      expect: `only in-flight requests fail (≤ ${m.users}), rate < ${rate * 100} %`,
      measured: `${failed} of ${requests} (${(share * 100).toFixed(2)} %)`,
      pass: failed <= m.users && share < rate,
    };
  };

/** Every error answer of `kinds` after the fault is one of `allowed` (`503`, `503 WEB_ERR_X`). */
export const failOnlyWith =
  (kinds: readonly Kind[], allowed: readonly string[]): Check =>
  (m) => {
    const bad = new Map<string, number>();
    for (const o of afterFault(m, kinds)) {
      if (o.status >= 200 && o.status < 400) continue;
      const code = `${o.status} ${o.code}`;
      if (allowed.some((a) => code === a || code.startsWith(`${a} `))) continue;
      bad.set(code, (bad.get(code) ?? 0) + 1);
    }
    return {
      expect: `${names(kinds)}: errors only ${allowed.join(', ')}`,
      measured: bad.size === 0 ? 'yes' : [...bad].map(([c, n]) => `${n}× ${c}`).join(', '),
      pass: bad.size === 0,
    };
  };

export const answeredWithin =
  (kinds: readonly Kind[], ms: number): Check =>
  (m) => {
    const during = m.outcomes.filter(
      (o) => kinds.includes(o.kind) && o.at >= m.timeline.faultAt && o.at < m.timeline.healAt,
    );
    const p99 = percentile(
      during.map((o) => o.ms),
      99,
    );
    return {
      expect: `${names(kinds)} answered (p99) ≤ ${ms} ms during the fault`,
      measured: `p99 ${p99} ms (${during.length} requests)`,
      pass: during.length > 0 && p99 <= ms,
    };
  };

export const detectedWithin =
  (ms: number): Check =>
  (m) => ({
    expect: `detected ≤ ${ms} ms`,
    measured: `${m.figures.detectedAfterMs} ms`,
    pass: m.figures.detectedAfterMs <= ms,
  });

/** After the heal the affected kinds work again (the last QUIET_MS clean, ≥ 1 success each). */
export const resumes =
  (kinds: readonly Kind[], withinMs: number): Check =>
  (m) => {
    const tail = m.outcomes.filter(
      (o) => kinds.includes(o.kind) && o.at >= m.timeline.endAt - QUIET_MS - 1000,
    );
    const silent = kinds.filter((k) => !tail.some((o) => o.kind === k && o.status < 300));
    const { recoveredAfterMs, recovered } = m.figures;
    const measured = recovered ? `${recoveredAfterMs} ms` : 'still failing at the end';
    return {
      expect: `${names(kinds)} resume by themselves ≤ ${withinMs} ms after the heal`,
      measured:
        silent.length === 0
          ? measured
          : `${measured}, but no ${silent.join('/')} succeeded in the last ${(QUIET_MS + 1000) / 1000} s`,
      pass: silent.length === 0 && recovered && recoveredAfterMs <= withinMs,
    };
  };

export const readYourWrites: Check = (m) => {
  const stale = afterFault(m, ['ryw']).filter((o) => o.status === 404).length;
  const reads = afterFault(m, ['ryw']).length;
  return {
    expect: 'authors read their own post back (causal)',
    measured: `${stale} of ${reads} missed`,
    pass: stale === 0,
  };
};

export const observedWithin =
  (fact: string, ms: number, what: string): Check =>
  (m) => {
    const value = m.observed[fact];
    return {
      expect: `${what} ≤ ${ms} ms`,
      measured: value === undefined ? 'never' : `${Math.round(value)} ms`,
      pass: value !== undefined && value <= ms,
    };
  };

export const observedAtLeast =
  (fact: string, least: number, what: string): Check =>
  (m) => {
    const value = m.observed[fact];
    return {
      expect: `${what} ≥ ${least}`,
      measured: value === undefined ? 'never' : String(value),
      pass: value !== undefined && value >= least,
    };
  };

export const ledgerClean: Check = (m) => {
  const l = m.ledger;
  const problems = [...l.lost, ...l.duplicated, ...l.wrongId, ...l.unreadable, ...l.thumbnails];
  return {
    expect: 'ledger: every 2xx write once, none twice, uploads byte-identical',
    measured: l.ok
      ? `${l.acknowledged}/${l.writes} acknowledged, all present once` +
        (l.committedUnacknowledged > 0
          ? ` (+${l.committedUnacknowledged} unacknowledged committed)`
          : '')
      : `LOSS: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3})` : ''}`,
    pass: l.ok,
  };
};
