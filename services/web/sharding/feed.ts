/**
 * The cross-shard feed: a scatter-gather. Every shard server holding logical shards is asked for its own newest `limit`
 * posts before the cursor, each with its own deadline (SHARD_READ_TIMEOUT_MS); the answers are
 * k-way merged (posts/merge.ts) into one page whose cursor pages correctly across all shards. A
 * server that fails or misses its deadline is named in `missingShards` rather than failing the
 * page: the reader sees the other shards' posts, and knows the page is partial.
 */

import { DbUnavailableError, dbFailureOf } from '../../shared/db/errors.ts';
import { withDeadline } from '../../shared/deadline.ts';
import { shardsOn } from '../../shared/shard/shard-map.ts';
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
  // Each server is asked only for the logical shards the map gives it now (a reshard's copy on its
  // target, or its source's copy before the cleanup, is not read twice); a server with none (a
  // spare, SHARD_SPARES) is not asked.
  const map = router.map;
  const holding = router.servers.flatMap((server, i) => {
    const logical = shardsOn(map, i);
    return logical.length === 0 ? [] : [{ server, logical }];
  });
  const asked = holding.map(({ server, logical }) =>
    withDeadline(
      server.db.read<PostRow>(from, ...feedPage(limit, cursor, logical), { after }),
      timeoutMs,
    ),
  );
  const settled = await Promise.allSettled(asked);
  const lists: PostRow[][] = [];
  const servedBy: string[] = [];
  const missing: string[] = [];
  settled.forEach((outcome, i) => {
    const name = holding[i]?.server.name ?? `shard-${i + 1}`;
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
