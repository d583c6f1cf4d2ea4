/**
 * Idempotent writes. The key is claimed by inserting its row inside the same primary transaction as
 * the write, so the write and the remembered response commit together or not at all. A concurrent
 * request with the same key blocks on that row until the first commits, then replays its response.
 *
 * Keys are kept for a stated window (IDEMPOTENCY_KEY_TTL_HOURS, 24 h as Stripe does): a retry
 * inside it replays, a key older than it counts as new (idempotency-expiry.ts deletes them).
 */
import { createHash } from 'node:crypto';
import { downBeforeSending, missingParentRow } from '../../shared/db/errors.ts';
import type { DbTarget, Row, Session } from '../../shared/db/target.ts';
import { HttpError } from '../../shared/http-error.ts';

export interface IdempotencyClaim {
  /** Who the key belongs to: the route and the user (keys are per user and per route). */
  readonly scope: string;
  readonly key: string;
  /** A digest of the request, so a reused key with a different request is refused. */
  readonly requestHash: Buffer;
}

export interface WriteResult<T> {
  readonly statusCode: number;
  readonly body: T;
}

export interface IdempotentResult<T> extends WriteResult<T> {
  readonly replayed: boolean;
  /** A GTID position that includes this write (for reading it back from a replica). */
  readonly gtid: string;
  /** The server that took it (with master-master not always the user's home master: X-DB). */
  readonly writer: string;
}

/** SHA-256 over the parts that make two requests "the same". */
export function requestDigest(...parts: readonly (string | Buffer)[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(String(Buffer.byteLength(part)));
    hash.update(':');
    hash.update(part);
  }
  return hash.digest();
}

interface KeyRow extends Row {
  request_hash: Buffer;
  status_code: number;
  response_body: string;
  expired?: number;
}

export const EXPIRED = 'created_at < NOW(3) - INTERVAL ? SECOND';
const LIVE = 'created_at >= NOW(3) - INTERVAL ? SECOND';

export interface IdempotentWritesOptions {
  /** Runs first in every write's transaction (a shard's write fence, sharding/fence.ts). */
  readonly guard?: (tx: Session) => Promise<void>;
  /**
   * DB_TOPOLOGY=master-master: the other master, when it is up. A write the writer refused before
   * anything was sent (down: refused, circuit open), or rolled back for a parent row it has not
   * received yet (a user signed up on the other master a moment ago), is written there instead.
   */
  readonly alternate?: () => DbTarget | undefined;
}

export class IdempotentWrites {
  /** The writer now: it changes when a replica is promoted (DbCluster.primary). */
  readonly #writer: () => DbTarget;
  readonly #ttlSeconds: number;
  readonly #options: IdempotentWritesOptions;

  constructor(writer: () => DbTarget, ttlSeconds: number, options: IdempotentWritesOptions = {}) {
    this.#writer = writer;
    this.#ttlSeconds = ttlSeconds;
    this.#options = options;
  }

  /** The same writes with `guard` run first in each transaction. */
  guarded(guard: (tx: Session) => Promise<void>): IdempotentWrites {
    return new IdempotentWrites(this.#writer, this.#ttlSeconds, { ...this.#options, guard });
  }

  /**
   * Whether a request with this key has already been answered, read without a transaction: lets a
   * route skip slow work outside the database (uploads) for a replay. writeOnce stays the authority.
   */
  async alreadyAnswered(claim: IdempotencyClaim | undefined): Promise<boolean> {
    if (claim === undefined) return false;
    const [row] = await this.#writer().rows<KeyRow>(
      `SELECT status_code FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND ${LIVE}`,
      [claim.scope, claim.key, this.#ttlSeconds],
    );
    return row !== undefined && row.status_code !== 0;
  }

  /** Runs `work` in a primary transaction; with a claim, at most once per (scope, key). */
  async writeOnce<T>(
    claim: IdempotencyClaim | undefined,
    work: (tx: Session) => Promise<WriteResult<T>>,
  ): Promise<IdempotentResult<T>> {
    try {
      return await this.#writeOn(this.#writer(), claim, work);
    } catch (error) {
      const movable = downBeforeSending(error) || missingParentRow(error);
      const alternate = movable ? this.#options.alternate?.() : undefined;
      if (alternate === undefined) throw error;
      return this.#writeOn(alternate, claim, work);
    }
  }

  async #writeOn<T>(
    writer: DbTarget,
    claim: IdempotencyClaim | undefined,
    work: (tx: Session) => Promise<WriteResult<T>>,
  ): Promise<IdempotentResult<T>> {
    const { value, lastGtid, position } = await writer.committed(async (tx) => {
      await this.#options.guard?.(tx);
      const answered = claim === undefined ? undefined : await this.#claim(tx, claim);
      if (answered !== undefined && claim !== undefined) return replay<T>(answered, claim);
      return { ...(await this.#remember(tx, claim, await work(tx))), replayed: false };
    });
    // A replay did not write now: the position after it includes the first answer's write.
    return {
      ...value,
      gtid: value.replayed || lastGtid === '' ? position : lastGtid,
      writer: writer.name,
    };
  }

  /**
   * Claims the key: undefined when it is ours now (new, or its old row had expired), otherwise
   * the row of the request that holds it. Only an expired row is written over: reading the live
   * one under a shared lock lets concurrent retries of one key wait and replay without deadlocks.
   */
  async #claim(tx: Session, claim: IdempotencyClaim): Promise<KeyRow | undefined> {
    const insert = () =>
      tx.write(
        'INSERT INTO idempotency_keys (scope, idem_key, request_hash, status_code, response_body) VALUES (?, ?, ?, 0, ?)',
        [claim.scope, claim.key, claim.requestHash, ''],
      );
    try {
      await insert();
      return undefined;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ER_DUP_ENTRY') throw error;
    }
    const [row] = await tx.rows<KeyRow>(
      `SELECT request_hash, status_code, response_body, ${EXPIRED} AS expired FROM idempotency_keys WHERE scope = ? AND idem_key = ? LOCK IN SHARE MODE`,
      [this.#ttlSeconds, claim.scope, claim.key],
    );
    if (row === undefined) throw new Error('idempotency key vanished between claim and replay');
    if (row.expired !== 1) return row;
    await tx.write('DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ?', [
      claim.scope,
      claim.key,
    ]);
    await insert();
    return undefined;
  }

  async #remember<T>(
    tx: Session,
    claim: IdempotencyClaim | undefined,
    result: WriteResult<T>,
  ): Promise<WriteResult<T>> {
    if (claim !== undefined) {
      await tx.write(
        'UPDATE idempotency_keys SET status_code = ?, response_body = ? WHERE scope = ? AND idem_key = ?',
        [result.statusCode, JSON.stringify(result.body), claim.scope, claim.key],
      );
    }
    return result;
  }
}

function replay<T>(row: KeyRow, claim: IdempotencyClaim): WriteResult<T> & { replayed: true } {
  if (!row.request_hash.equals(claim.requestHash)) {
    throw new HttpError(
      422,
      'WEB_ERR_IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was already used for a different request',
    );
  }
  return { statusCode: row.status_code, body: JSON.parse(row.response_body) as T, replayed: true };
}
