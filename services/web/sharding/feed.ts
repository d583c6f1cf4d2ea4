/**
 * The cross-shard feed: a scatter-gather. Every shard server is asked for its own newest `limit`
 * posts before the cursor, each with its own deadline (SHARD_READ_TIMEOUT_MS); the answers are
 * k-way merged (posts/merge.ts) into one page whose cursor pages correctly across all shards. A
 * server that fails or misses its deadline is named in `missingShards` rather than failing the
 * page: the reader sees the other shards' posts, and knows the page is partial.
 */

import { DbUnavailableError, dbFailureOf } from '../../shared/db/errors.ts';
import { withDeadline } from '../../shared/deadline.ts';
import type { GtidPosition } from '../consistency/gtid.ts';
import type { ReadFrom } from '../db/cluster.ts';
import type { Cursor } from '../posts/cursor.ts';
import { mergeNewest } from '../posts/merge.ts';
import { feedPage, type PostRow } from '../posts/sql.ts';
import type { ShardRouter } from './router.ts';

export interface ScatterPage {
  readonly rows: PostRow[];
  /** The servers that answered, for X-DB. */
  readonly servedBy: string[];
  readonly missing: string[];
}

export async function scatterFeed(
  router: ShardRouter,
  from: ReadFrom,
  limit: number,
  cursor: Cursor | undefined,
  timeoutMs: number,
  /** The reader's own writes (causal reads): each server keeps the part in its domain. */
  after?: GtidPosition,
): Promise<ScatterPage> {
  const asked = router.servers.map((server) =>
    withDeadline(server.db.read<PostRow>(from, ...feedPage(limit, cursor), { after }), timeoutMs),
  );
  const settled = await Promise.allSettled(asked);
  const lists: PostRow[][] = [];
  const servedBy: string[] = [];
  const missing: string[] = [];
  settled.forEach((outcome, i) => {
    const name = router.servers[i]?.name ?? `shard-${i + 1}`;
    if (outcome.status === 'fulfilled') {
      lists.push(outcome.value.rows);
      servedBy.push(outcome.value.servedBy);
    } else {
      // Bugs (not database failures or the deadline) still fail the request.
      const reason: unknown = outcome.reason;
      const timedOut = reason instanceof Error && /^no answer in/.test(reason.message);
      if (!timedOut && dbFailureOf(reason) === undefined && !(reason instanceof DbUnavailableError))
        throw reason;
      missing.push(name);
    }
  });
  if (servedBy.length === 0 && settled[0]?.status === 'rejected') throw settled[0].reason;
  const rows = mergeNewest(lists, limit, (r) => ({ ms: r.created_at.getTime(), id: BigInt(r.id) }));
  return { rows, servedBy, missing };
}
