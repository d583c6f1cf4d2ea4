/**
 * The figures of one move, from the load's ledger (pure): the write attempts that started while
 * the move ran, split into those of users whose logical shard moved and the others, each with
 * count, errors (no answer or not 2xx) and latency (nearest rank, loadtest/core).
 */
import { type LatencySummary, summarize } from '../core/latency.ts';
import type { LedgerEntry } from '../ledger/ledger.ts';

export interface WriteGroup {
  readonly writes: number;
  readonly errors: number;
  readonly latency: LatencySummary;
}

export interface MoveWrites {
  readonly moved: WriteGroup;
  readonly others: WriteGroup;
}

function group(attempts: readonly { status: number; ms: number }[]): WriteGroup {
  return {
    writes: attempts.length,
    errors: attempts.filter((a) => a.status < 200 || a.status >= 300).length,
    latency: summarize(attempts.map((a) => a.ms)),
  };
}

/** Attempts that started in [from, to) (ms since the load started), by whether `moved(user)`. */
export function moveWrites(
  entries: readonly LedgerEntry[],
  from: number,
  to: number,
  moved: (user: string) => boolean,
): MoveWrites {
  const pick = (wanted: boolean) =>
    entries
      .filter((e) => moved(e.user) === wanted)
      .flatMap((e) => e.attempts.filter((a) => a.at >= from && a.at < to));
  return { moved: group(pick(true)), others: group(pick(false)) };
}
