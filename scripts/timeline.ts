/**
 * `make timeline`: rebuilds the precomputed timeline (FEED=timeline) of a running sharded stack
 * from its shard servers: each one's newest TIMELINE_LENGTH posts, k-way merged, replace the
 * timeline in one step. Needed after posts were loaded into the shard servers behind the web
 * servers' back (nothing fanned them out), after `make archive` moved posts out, or after a Redis
 * outage lost timeline writes.
 * Prints how many posts, how long it took and the timeline's size in Redis.
 */

import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { defaultStackFile } from '../runner/host/paths.ts';
import { readStackFile } from '../runner/stack/read-stack.ts';
import type { StackFile } from '../runner/stack/stack-file.ts';
import { ConfigError, field, integer, parseEnv, text } from '../services/shared/config/env.ts';
import { mergeNewest } from '../services/web/posts/merge.ts';
import { feedPage, type PostRow, toPost } from '../services/web/posts/sql.ts';
import { DEFAULT_TIMELINE_LENGTH } from '../services/web/timeline/format.ts';
import { Timeline } from '../services/web/timeline/timeline.ts';

const schema = {
  STACK_FILE: field(text(), defaultStackFile(process.env)),
  TIMELINE_LENGTH: field(integer(100, 1_000_000), DEFAULT_TIMELINE_LENGTH),
};

/** Newest `limit` posts of one server, newest first. */
async function newestOf(stack: StackFile, server: string, limit: number): Promise<PostRow[]> {
  const s = stack.services.find((x) => x.name === server);
  if (s?.ports.mysql === undefined) throw new Error(`stack.json has no ${server}`);
  const conn = await createConnection({
    host: s.host,
    port: s.ports.mysql,
    user: stack.mysql.user,
    password: readFileSync(stack.secrets['mysql-password'], 'utf8').trim(),
    database: stack.mysql.database,
    connectTimeout: 5000,
    supportBigNumbers: true,
    timezone: 'Z',
  });
  try {
    const [sql, params] = feedPage(limit, undefined);
    const [rows] = await conn.query<RowDataPacket[]>({ sql, timeout: 60_000 }, params);
    return rows as PostRow[];
  } finally {
    await conn.end();
  }
}

async function main(): Promise<number> {
  let env: ReturnType<typeof parseEnv<typeof schema>>;
  try {
    env = parseEnv(process.env, schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`timeline: ${error.message}\n`);
    return 2;
  }
  const stack = readStackFile(env.STACK_FILE);
  const redisService = stack.services.find((s) => s.kind === 'redis');
  if (stack.shards === null || stack.flags.FEED !== 'timeline' || redisService === undefined) {
    process.stderr.write('timeline: the stack does not run FEED=timeline (with SHARDS above 1)\n');
    return 2;
  }
  const started = performance.now();
  const lists = await Promise.all(
    stack.shards.servers.map((server) => newestOf(stack, server, env.TIMELINE_LENGTH)),
  );
  const merged = mergeNewest(lists, env.TIMELINE_LENGTH, (r) => ({
    ms: r.created_at.getTime(),
    id: BigInt(r.id),
  }));
  const redis = new Redis({
    host: redisService.host,
    port: redisService.ports.redis ?? 0,
    lazyConnect: true,
    commandTimeout: 30_000,
    maxRetriesPerRequest: 1,
  });
  try {
    await redis.connect();
    const timeline = new Timeline(redis, env.TIMELINE_LENGTH);
    const kept = await timeline.replace(merged.map(toPost));
    const { bytes } = await timeline.size();
    const ms = performance.now() - started;
    console.log(
      `timeline rebuilt from ${stack.shards.servers.join(', ')}: ${kept} posts in ${Math.round(ms)} ms, ${(bytes / 1024 / 1024).toFixed(1)} MiB in Redis`,
    );
  } finally {
    redis.disconnect();
  }
  return 0;
}

process.exitCode = await main();
