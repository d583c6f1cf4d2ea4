/**
 * Idempotent writes. The key is claimed by inserting its row inside the same primary transaction as
 * the write, so the write and the remembered response commit together or not at all. A concurrent
 * request with the same key blocks on that row until the first commits, then replays its response.
 */
import { createHash } from 'node:crypto';
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
}

async function replay<T>(tx: Session, claim: IdempotencyClaim): Promise<IdempotentResult<T>> {
  const [row] = await tx.rows<KeyRow>(
    'SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE scope = ? AND idem_key = ?',
    [claim.scope, claim.key],
  );
  if (row === undefined) throw new Error('idempotency key vanished between claim and replay');
  if (!row.request_hash.equals(claim.requestHash)) {
    throw new HttpError(
      422,
      'WEB_ERR_IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was already used for a different request',
    );
  }
  return { statusCode: row.status_code, body: JSON.parse(row.response_body) as T, replayed: true };
}

/** Runs `work` in a primary transaction; with a claim, at most once per (scope, key). */
/**
 * Whether a request with this key has already been answered, read without a transaction: lets a
 * route skip slow work outside the database (uploads) for a replay. writeOnce stays the authority.
 */
export async function alreadyAnswered(
  primary: DbTarget,
  claim: IdempotencyClaim | undefined,
): Promise<boolean> {
  if (claim === undefined) return false;
  const [row] = await primary.rows<KeyRow>(
    'SELECT status_code FROM idempotency_keys WHERE scope = ? AND idem_key = ?',
    [claim.scope, claim.key],
  );
  return row !== undefined && row.status_code !== 0;
}

export async function writeOnce<T>(
  primary: DbTarget,
  claim: IdempotencyClaim | undefined,
  work: (tx: Session) => Promise<WriteResult<T>>,
): Promise<IdempotentResult<T>> {
  return primary.transaction(async (tx) => {
    if (claim === undefined) return { ...(await work(tx)), replayed: false };
    try {
      await tx.write(
        'INSERT INTO idempotency_keys (scope, idem_key, request_hash, status_code, response_body) VALUES (?, ?, ?, 0, ?)',
        [claim.scope, claim.key, claim.requestHash, ''],
      );
    } catch (error) {
      if ((error as { code?: string }).code === 'ER_DUP_ENTRY') return replay<T>(tx, claim);
      throw error;
    }
    const result = await work(tx);
    await tx.write(
      'UPDATE idempotency_keys SET status_code = ?, response_body = ? WHERE scope = ? AND idem_key = ?',
      [result.statusCode, JSON.stringify(result.body), claim.scope, claim.key],
    );
    return { ...result, replayed: false };
  });
}
