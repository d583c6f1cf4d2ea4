/**
 * Deletes idempotency keys past their window, oldest first, in bounded batches: each batch is
 * found along idx_idem_created (forced: when most rows have expired the optimizer would rather
 * scan and sort the whole table) and deleted by primary key, so no run holds locks for long.
 */

import type { DbTarget, Row } from '../../shared/db/target.ts';
import { EXPIRED } from './idempotency.ts';

/** The oldest expired keys, along idx_idem_created. Parameters: TTL seconds, then LIMIT. */
export const EXPIRED_BATCH = `SELECT scope, idem_key FROM idempotency_keys FORCE INDEX (idx_idem_created) WHERE ${EXPIRED} ORDER BY created_at LIMIT ?`;

/** Deletes up to `batch` × `maxBatches` expired keys; returns how many. */
export async function expireIdempotencyKeys(
  primary: DbTarget,
  ttlSeconds: number,
  batch: number,
  maxBatches: number,
): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const keys = await primary.rows<Row & { scope: string; idem_key: string }>(EXPIRED_BATCH, [
      ttlSeconds,
      batch,
    ]);
    if (keys.length === 0) break;
    const result = await primary.write(
      `DELETE FROM idempotency_keys WHERE (scope, idem_key) IN (${keys.map(() => '(?, ?)').join(', ')}) AND ${EXPIRED}`,
      [...keys.flatMap((k) => [k.scope, k.idem_key]), ttlSeconds],
    );
    deleted += result.affectedRows;
    if (keys.length < batch) break;
  }
  return deleted;
}
