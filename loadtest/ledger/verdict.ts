/**
 * The ledger against what the primary holds (pure): every acknowledged write exists exactly once
 * with the id its answer returned; nothing exists twice; every acknowledged upload reads back
 * byte-identical; with queued thumbnails, every accepted upload ends `ready` with exactly one set.
 * A write that was not acknowledged may or may not have committed (its answer was lost), but never
 * twice.
 */
import { isAcknowledged, type LedgerEntry } from './ledger.ts';

export interface FoundMedia {
  readonly id: string;
  readonly status: string;
  /** Thumbnail objects in the upload's folder, and how many sizes the row asks for. */
  readonly thumbnails: number;
  readonly sizes: number;
}

export interface Found {
  /** Post ids by exact body. */
  readonly posts: ReadonlyMap<string, readonly string[]>;
  /** Rows in idempotency_keys by key. */
  readonly keys: ReadonlyMap<string, number>;
  /** Media rows by SHA-256. */
  readonly media: ReadonlyMap<string, readonly FoundMedia[]>;
  /** Acknowledged uploads whose original read back differently (key → why). */
  readonly unreadable: ReadonlyMap<string, string>;
  /**
   * Acknowledged uploads whose URL only gave gateway errors (the CDN edge's origin fetch timing
   * out) but whose original the object store holds byte-identical: not lost, reported apart.
   */
  readonly edgeOnly?: ReadonlyMap<string, string>;
  /** Whether thumbnails are made by the queue (then `ready` and one set are required). */
  readonly queued: boolean;
}

export interface LedgerVerdict {
  readonly writes: number;
  readonly acknowledged: number;
  /** Not acknowledged but committed (the answer was lost, the write was not). */
  readonly committedUnacknowledged: number;
  readonly lost: string[];
  readonly duplicated: string[];
  readonly wrongId: string[];
  readonly unreadable: string[];
  readonly thumbnails: string[];
  /** Read back from the object store only: the URL's gateway failed (not a loss). */
  readonly edgeOnly: string[];
  readonly ok: boolean;
}

function idsOf(entry: LedgerEntry, found: Found): readonly string[] {
  if (entry.kind === 'post') return found.posts.get(entry.body ?? '') ?? [];
  return (found.media.get(entry.sha256 ?? '') ?? []).map((m) => m.id);
}

export function judgeLedger(entries: readonly LedgerEntry[], found: Found): LedgerVerdict {
  const v = {
    lost: [] as string[],
    duplicated: [] as string[],
    wrongId: [] as string[],
    unreadable: [] as string[],
    thumbnails: [] as string[],
  };
  const edgeOnly: string[] = [];
  let acknowledged = 0;
  let committedUnacknowledged = 0;
  for (const entry of entries) {
    const ids = idsOf(entry, found);
    const name = `${entry.kind} ${entry.key}`;
    if (ids.length > 1 || (found.keys.get(entry.key) ?? 0) > 1)
      v.duplicated.push(`${name}: ids ${ids.join(',')}`);
    if (!isAcknowledged(entry)) {
      if (ids.length > 0) committedUnacknowledged++;
      continue;
    }
    acknowledged++;
    if (ids.length === 0) {
      v.lost.push(`${name}: answered ${entry.attempts.map((a) => a.status).join('→')}`);
      continue;
    }
    if (entry.id !== undefined && !ids.includes(entry.id))
      v.wrongId.push(`${name}: answered id ${entry.id}, stored ${ids.join(',')}`);
    if (entry.kind !== 'upload') continue;
    const why = found.unreadable.get(entry.key);
    if (why !== undefined) v.unreadable.push(`${name}: ${why}`);
    const edge = found.edgeOnly?.get(entry.key);
    if (edge !== undefined) edgeOnly.push(`${name}: ${edge}`);
    if (!found.queued) continue;
    for (const m of found.media.get(entry.sha256 ?? '') ?? []) {
      if (m.status !== 'ready') v.thumbnails.push(`${name}: media ${m.id} is ${m.status}`);
      else if (m.thumbnails !== m.sizes)
        v.thumbnails.push(
          `${name}: media ${m.id} has ${m.thumbnails} thumbnails for ${m.sizes} sizes`,
        );
    }
  }
  const problems = Object.values(v).reduce((n, list) => n + list.length, 0);
  return {
    writes: entries.length,
    acknowledged,
    committedUnacknowledged,
    ...v,
    edgeOnly,
    ok: problems === 0,
  };
}
