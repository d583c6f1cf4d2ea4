/**
 * The shard map's one home: the directory primary's `shard_map` table. The first web server of a
 * new sharded stack writes the even map (INSERT IGNORE: concurrent starts agree); afterwards only
 * a reshard changes it, and every web server re-reads it (plugins/shards.ts).
 */
import type { DbTarget, Row } from '../../shared/db/target.ts';
import {
  evenShardMap,
  LOGICAL_SHARDS,
  type ShardMap,
  shardMapProblems,
} from '../../shared/shard/shard-map.ts';

export class ShardMapError extends Error {
  override name = 'ShardMapError';
}

export async function readShardMap(directory: DbTarget, servers: number): Promise<ShardMap> {
  const rows = await directory.rows<Row & { logical_shard: number; server: number }>(
    'SELECT logical_shard, server FROM shard_map ORDER BY logical_shard',
  );
  const map = new Array<number>(LOGICAL_SHARDS).fill(-1);
  for (const r of rows) if (r.logical_shard < LOGICAL_SHARDS) map[r.logical_shard] = r.server;
  const problems = shardMapProblems(map, servers);
  if (problems.length > 0)
    throw new ShardMapError(`the directory's shard_map is unusable: ${problems.join('; ')}`);
  return map;
}

/** The map's version (bumped by every reshard flip); 0 before the table exists. */
export async function readShardMapVersion(directory: DbTarget): Promise<number> {
  const [row] = await directory.rows<Row & { version: number }>(
    'SELECT version FROM shard_map_version WHERE id = 1',
  );
  return Number(row?.version ?? 0);
}

/**
 * Writes the even map of the first `initial` servers where no row exists yet (SHARD_SPARES, the
 * rest, start empty), then reads the map back, valid for `servers` in all.
 */
export async function ensureShardMap(
  directory: DbTarget,
  initial: number,
  servers: number,
): Promise<ShardMap> {
  const even = evenShardMap(initial);
  await directory.write(
    `INSERT IGNORE INTO shard_map (logical_shard, server) VALUES ${even.map(() => '(?, ?)').join(', ')}`,
    even.flatMap((server, logical) => [logical, server]),
  );
  return readShardMap(directory, servers);
}
