/**
 * The write fence of a logical shard on a shard server. Every write to a logical shard starts by
 * reading that shard's `shard_fence` row under a shared lock, in the write's own transaction:
 *   - `make reshard` fences the source with an UPDATE, which waits for the writes holding the lock
 *     (they commit before it, so its final copy sees them) and makes every later one fail here;
 *   - a web server that still has the old map therefore cannot write to the old copy after the
 *     flip: it gets ShardFencedError, re-reads the map and retries on the new server
 *     (plugins/shards.ts, `writeAt`).
 */
import type { Row, Session } from '../../shared/db/target.ts';

export class ShardFencedError extends Error {
  override name = 'ShardFencedError';
  readonly logical: number;

  constructor(logical: number, server: string) {
    super(`logical shard ${logical} is fenced on ${server} (it is moving or has moved)`);
    this.logical = logical;
  }
}

/** Throws ShardFencedError when `logical` may not be written on this server now. */
export async function checkFence(tx: Session, logical: number, server: string): Promise<void> {
  const [row] = await tx.rows<Row & { fenced: number }>(
    'SELECT fenced FROM shard_fence WHERE logical_shard = ? LOCK IN SHARE MODE',
    [logical],
  );
  // No row: a server whose fence migration has not run cannot be the target of a reshard yet.
  if (row !== undefined && row.fenced !== 0) throw new ShardFencedError(logical, server);
}
