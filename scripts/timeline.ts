/**
 * `make timeline`: rebuilds the precomputed timeline (FEED=timeline) of a running sharded stack
 * from its shard servers: each one's newest TIMELINE_LENGTH posts of the logical shards the live
 * map gives it (as the feed reads them, so a reshard's two copies are not both read), k-way merged,
 * replace the timeline in one step, with its floor (timeline.ts). TIMELINE_LENGTH is the web
 * servers' (stack.json's webSettings). Needed after posts were loaded into the shard servers
 * behind the web servers' back (nothing fanned them out), after `make archive` moved posts out, or
 * after a Redis outage lost timeline writes (the feed is correct meanwhile, from the shards).
 * Prints how many posts, how long it took and the timeline's size in Redis. Exit 2: bad config or
 * a stack that does not run FEED=timeline; 1: a server or Redis failed (one line, no stack trace).
 */

import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { type Connection, createConnection, type RowDataPacket } from 'mysql2/promise';
import { defaultStackFile } from '../runner/host/paths.ts';
import { readStackFile } from '../runner/stack/read-stack.ts';
import type { StackFile } from '../runner/stack/stack-file.ts';
import { ConfigError, field, integer, parseEnv, text } from '../services/shared/config/env.ts';
import {
  LOGICAL_SHARDS,
  type ShardMap,
  shardMapProblems,
  shardsOn,
} from '../services/shared/shard/shard-map.ts';
import { mergeNewest } from '../services/web/posts/merge.ts';
import { feedPage, type PostRow, toPost } from '../services/web/posts/sql.ts';
import { DEFAULT_TIMELINE_LENGTH } from '../services/web/timeline/format.ts';
import { Timeline } from '../services/web/timeline/timeline.ts';

const schema = { STACK_FILE: field(text(), defaultStackFile(process.env)) };
/** The web servers' own setting and bounds (services/web/config.ts). */
const webSchema = { TIMELINE_LENGTH: field(integer(100, 1_000_000), DEFAULT_TIMELINE_LENGTH) };
const QUERY_TIMEOUT_MS = 60_000;

/** A stack that cannot be rebuilt (exit 2). */
class StackError extends Error {}

async function connect(stack: StackFile, server: string): Promise<Connection> {
  const s = stack.services.find((x) => x.name === server);
  if (s?.ports.mysql === undefined) throw new StackError(`stack.json has no ${server}`);
  return createConnection({
    host: s.host,
    port: s.ports.mysql,
    user: stack.mysql.user,
    password: readFileSync(stack.secrets['mysql-password'], 'utf8').trim(),
    database: stack.mysql.database,
    connectTimeout: 5000,
    supportBigNumbers: true,
    timezone: 'Z',
  });
}

/** The live shard map (the directory's shard_map), as the web servers read it. */
async function liveMap(stack: StackFile, directory: string, servers: number): Promise<ShardMap> {
  const conn = await connect(stack, directory);
  try {
    const [rows] = await conn.query<RowDataPacket[]>({
      sql: 'SELECT logical_shard, server FROM shard_map ORDER BY logical_shard',
      timeout: QUERY_TIMEOUT_MS,
    });
    const map = new Array<number>(LOGICAL_SHARDS).fill(-1);
    for (const r of rows) map[Number(r.logical_shard)] = Number(r.server);
    const problems = shardMapProblems(map, servers);
    if (problems.length > 0)
      throw new Error(`the directory's shard_map is unusable: ${problems.join('; ')}`);
    return map;
  } finally {
    await conn.end();
  }
}

/** Newest `limit` posts of these logical shards on one server, newest first. */
async function newestOf(
  stack: StackFile,
  server: string,
  logical: readonly number[],
  limit: number,
): Promise<PostRow[]> {
  if (logical.length === 0) return [];
  const conn = await connect(stack, server);
  try {
    const [sql, params] = feedPage(limit, undefined, logical);
    const [rows] = await conn.query<RowDataPacket[]>({ sql, timeout: QUERY_TIMEOUT_MS }, params);
    return rows as PostRow[];
  } finally {
    await conn.end();
  }
}

function stackAt(file: string): StackFile {
  try {
    return readStackFile(file);
  } catch (error) {
    throw new StackError((error as Error).message);
  }
}

async function main(): Promise<number> {
  const env = parseEnv(process.env, schema);
  const stack = stackAt(env.STACK_FILE);
  const redisService = stack.services.find((s) => s.kind === 'redis');
  if (stack.shards === null || stack.flags.FEED !== 'timeline' || redisService === undefined)
    throw new StackError('the stack does not run FEED=timeline (with SHARDS above 1)');
  const length = parseEnv(stack.webSettings ?? {}, webSchema).TIMELINE_LENGTH;
  const started = performance.now();
  const servers = stack.shards.servers;
  const map = await liveMap(stack, stack.shards.directory, servers.length);
  const lists = await Promise.all(
    servers.map((server, i) => newestOf(stack, server, shardsOn(map, i), length)),
  );
  const merged = mergeNewest(lists, length, (r) => ({
    ms: r.created_at.getTime(),
    id: BigInt(r.id),
  }));
  // Every server had fewer than asked and the merge kept them all: these are all the posts, the
  // floor is the whole history. Otherwise the floor is the oldest post kept.
  const whole =
    lists.every((l) => l.length < length) &&
    lists.reduce((n, l) => n + l.length, 0) === merged.length;
  const redis = new Redis({
    host: redisService.host,
    port: redisService.ports.redis ?? 0,
    lazyConnect: true,
    commandTimeout: 30_000,
    maxRetriesPerRequest: 1,
  });
  try {
    await redis.connect();
    const timeline = new Timeline(redis, length);
    const kept = await timeline.replace(merged.map(toPost), whole);
    const { bytes } = await timeline.size();
    const ms = performance.now() - started;
    console.log(
      `timeline rebuilt from ${servers.join(', ')}: ${kept} posts in ${Math.round(ms)} ms (TIMELINE_LENGTH ${length}), ${(bytes / 1024 / 1024).toFixed(1)} MiB in Redis`,
    );
  } finally {
    redis.disconnect();
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  const config = error instanceof ConfigError || error instanceof StackError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`timeline: ${message}\n`);
  process.exitCode = config ? 2 : 1;
}
