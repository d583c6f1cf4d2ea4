/**
 * The shard map: LOGICAL_SHARDS logical shards onto N physical servers. Rows name their logical
 * shard (in their id); only this map says which server holds it, so a logical shard can move to
 * another server without changing any id. The map lives in one place, the directory database's
 * `shard_map` table (sharding/map-store.ts); this file is its pure logic and text form.
 */

export const LOGICAL_SHARDS = 256;

/** logical shard (index) → physical server (0-based index into the shard servers). */
export type ShardMap = readonly number[];

/** The first map of N servers: contiguous, even ranges (0–127 → 0, 128–255 → 1 for N = 2). */
export function evenShardMap(servers: number): ShardMap {
  if (!Number.isInteger(servers) || servers < 1 || servers > LOGICAL_SHARDS)
    throw new RangeError(`servers must be 1..${LOGICAL_SHARDS}, got ${servers}`);
  return Array.from({ length: LOGICAL_SHARDS }, (_, l) =>
    Math.floor((l * servers) / LOGICAL_SHARDS),
  );
}

/** Problems with a map for `servers` physical servers ([] when it is valid). */
export function shardMapProblems(map: readonly number[], servers: number): string[] {
  const problems: string[] = [];
  if (map.length !== LOGICAL_SHARDS)
    problems.push(`the map has ${map.length} logical shards, expected ${LOGICAL_SHARDS}`);
  const bad = map.findIndex((p) => !Number.isInteger(p) || p < 0 || p >= servers);
  if (bad >= 0)
    problems.push(`logical shard ${bad} maps to server ${map[bad]}, but there are ${servers}`);
  return problems;
}

/** The map as ranges, e.g. `0-127:0,128-255:1` (stack.json, logs, the explorer). */
export function formatShardMap(map: ShardMap): string {
  const parts: string[] = [];
  let start = 0;
  for (let l = 1; l <= map.length; l++) {
    if (l === map.length || map[l] !== map[start]) {
      parts.push(`${start === l - 1 ? start : `${start}-${l - 1}`}:${map[start]}`);
      start = l;
    }
  }
  return parts.join(',');
}

/** Parses formatShardMap's text; undefined when it is malformed or leaves a logical shard out. */
export function parseShardMap(text: string): ShardMap | undefined {
  const map: (number | undefined)[] = new Array(LOGICAL_SHARDS).fill(undefined);
  for (const part of text.split(',')) {
    const m = /^(\d{1,3})(?:-(\d{1,3}))?:(\d{1,3})$/.exec(part.trim());
    if (m === null) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || to >= LOGICAL_SHARDS) return undefined;
    for (let l = from; l <= to; l++) {
      if (map[l] !== undefined) return undefined;
      map[l] = Number(m[3]);
    }
  }
  return map.every((p) => p !== undefined) ? (map as number[]) : undefined;
}

/** Logical shards whose server differs between two maps (what a reshard moves). */
export function movedShards(from: ShardMap, to: ShardMap): number[] {
  return from.flatMap((p, l) => (to[l] === p ? [] : [l]));
}

/** Logical shards held by one server. */
export const shardsOn = (map: ShardMap, server: number): number[] =>
  map.flatMap((p, l) => (p === server ? [l] : []));
