/**
 * The ledger of a load's writes: every write carries a unique Idempotency-Key, and each attempt
 * (a retry reuses the key) is recorded with its status, the returned id and its times. Checked
 * afterwards against the primary (check.ts). Pure bookkeeping.
 */

export type WriteKind = 'post' | 'upload';

export interface Attempt {
  /** ms since the load started. */
  readonly at: number;
  readonly ms: number;
  /** 0 when no response arrived. */
  readonly status: number;
  readonly code: string;
}

export interface LedgerEntry {
  readonly key: string;
  readonly kind: WriteKind;
  /** The user who wrote it (username). */
  readonly user: string;
  /** Posts: the exact body sent (it contains the key, so the primary can be searched for it). */
  readonly body?: string;
  /** Uploads: the SHA-256 of the bytes sent, and the bytes, to compare what reads back. */
  readonly sha256?: string;
  readonly bytes?: Buffer;
  readonly attempts: Attempt[];
  /** The id a 2xx answer returned. */
  /** A string: ids may pass 2^53 (sharded ids are JSON strings). */
  id?: string;
  /** Uploads: the URL of the original that a 2xx answer returned. */
  url?: string;
}

export const isAcknowledged = (entry: LedgerEntry): boolean =>
  entry.attempts.some((a) => a.status >= 200 && a.status < 300);

export class Ledger {
  readonly entries: LedgerEntry[] = [];

  open(entry: Omit<LedgerEntry, 'attempts'>): LedgerEntry {
    const opened: LedgerEntry = { ...entry, attempts: [] };
    this.entries.push(opened);
    return opened;
  }

  record(entry: LedgerEntry, attempt: Attempt, returned?: { id?: string; url?: string }): void {
    entry.attempts.push(attempt);
    if (returned?.id !== undefined) entry.id = returned.id;
    if (returned?.url !== undefined) entry.url = returned.url;
  }

  acknowledged(kind?: WriteKind): LedgerEntry[] {
    return this.entries.filter((e) => (kind === undefined || e.kind === kind) && isAcknowledged(e));
  }
}
