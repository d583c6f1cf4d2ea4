/**
 * Where a user's data lives. Each physical shard server is a DbCluster named `shard-N`; the map
 * (256 logical shards → servers) decides which one holds a logical shard. A user's logical shard
 * is in their id, a post's or order's in its own id (the author's), so no lookup is needed.
 * The map can be replaced while requests run (a reshard): each call reads the current one.
 */

import { shardOfId } from '../../shared/shard/ids.ts';
import { formatShardMap, type ShardMap } from '../../shared/shard/shard-map.ts';
import type { DbCluster } from '../db/cluster.ts';
import type { IdempotentWrites } from '../db/idempotency.ts';
import { checkFence } from './fence.ts';

export interface ShardServer {
  readonly name: string;
  readonly db: DbCluster;
  readonly idempotency: IdempotentWrites;
}

export interface Home extends ShardServer {
  readonly logical: number;
  /** X-DB: the server and the logical shard, e.g. `shard-2;logical=200`. */
  readonly label: string;
}

export class ShardRouter {
  readonly servers: readonly ShardServer[];
  #map: ShardMap;
  /** The directory's shard_map_version when the map was read (a reshard's flip bumps it). */
  version: number;

  constructor(servers: readonly ShardServer[], map: ShardMap, version = 0) {
    this.servers = servers;
    this.#map = map;
    this.version = version;
  }

  get map(): ShardMap {
    return this.#map;
  }

  set map(map: ShardMap) {
    this.#map = map;
  }

  describe(): { logicalShards: number; servers: string[]; map: string; version: number } {
    return {
      version: this.version,
      logicalShards: this.#map.length,
      servers: this.servers.map((s) => s.name),
      map: formatShardMap(this.#map),
    };
  }

  /**
   * The server that holds logical shard `logical` now. Its writes check the shard's write fence
   * on that server first (sharding/fence.ts), so a write routed by a stale map cannot land there.
   */
  forLogical(logical: number): Home {
    const server = this.servers[this.#map[logical] ?? -1];
    if (server === undefined) throw new Error(`logical shard ${logical} has no server`);
    return {
      ...server,
      idempotency: server.idempotency.guarded((tx) => checkFence(tx, logical, server.name)),
      logical,
      label: `${server.name};logical=${logical}`,
    };
  }

  /** Whether an id could be one of ours (its logical shard is on the map). */
  holds(id: bigint): boolean {
    return shardOfId(id) < this.#map.length;
  }

  /** The server holding the row with this id (a user's, a post's, an order's). */
  forId(id: bigint): Home {
    return this.forLogical(shardOfId(id));
  }
}
