/**
 * The shard map as the explorer and GET /api/shards show it, pure: contiguous logical ranges →
 * server, and each server with its replicas and how many logical shards it holds.
 */
import type { ShardMap } from '../../shared/shard/shard-map.ts';
import { formatShardMap } from '../../shared/shard/shard-map.ts';

export interface ServerView {
  readonly name: string;
  /** Its replicas (`shard-1/replica-1`), each with whether reads may go there now. */
  readonly replicas: readonly { readonly name: string; readonly available: boolean }[];
  readonly logicalShards: number;
}

export interface ShardMapView {
  readonly sharded: true;
  readonly logicalShards: number;
  /** formatShardMap's text, e.g. `0-127:0,128-255:1`. */
  readonly map: string;
  readonly ranges: readonly {
    readonly from: number;
    readonly to: number;
    readonly server: string;
  }[];
  readonly servers: readonly ServerView[];
  /** `directory`: read from the directory now; `cached`: this web server's copy (≤ 2 s old). */
  readonly source: 'directory' | 'cached';
}

export function describeShardMap(
  map: ShardMap,
  servers: readonly Omit<ServerView, 'logicalShards'>[],
  source: ShardMapView['source'],
): ShardMapView {
  const name = (index: number | undefined) => servers[index ?? -1]?.name ?? `server ${index}`;
  const ranges: { from: number; to: number; server: string }[] = [];
  let from = 0;
  for (let l = 1; l <= map.length; l++) {
    if (l === map.length || map[l] !== map[from]) {
      ranges.push({ from, to: l - 1, server: name(map[from]) });
      from = l;
    }
  }
  return {
    sharded: true,
    logicalShards: map.length,
    map: formatShardMap(map),
    ranges,
    servers: servers.map((s, i) => ({ ...s, logicalShards: map.filter((p) => p === i).length })),
    source,
  };
}
