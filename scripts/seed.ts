/**
 * `make seed`: loads realistic data into a running native stack (found through its stack.json):
 * users and ~1 KB posts in batched multi-row inserts over a few connections, then waits for the
 * replicas to catch up and prints how long each part took.
 *
 * Seeded users share one password (SEED_PASSWORD, default "seed-password"), hashed once.
 *
 * After loading it refreshes the tables' statistics (ANALYZE TABLE, replicated to the replicas):
 * InnoDB recalculates persisted statistics in the background at most every 10 s per table, so a
 * fast bulk load followed by a restart left statistics of an empty table, and the feed fell back
 * to a full scan with a filesort (test/integration/scripts/seed-restart-plan.test.ts).
 */

import { readFileSync } from 'node:fs';
import { type Connection, createConnection, type RowDataPacket } from 'mysql2/promise';
import { defaultStackFile } from '../runner/host/paths.ts';
import { readStackFile } from '../runner/stack/read-stack.ts';
import type { StackFile } from '../runner/stack/stack-file.ts';
import { ConfigError, field, integer, parseEnv, text } from '../services/shared/config/env.ts';
import { DbTarget } from '../services/shared/db/target.ts';
import { hashPassword } from '../services/web/auth/password.ts';
import { migrate } from '../services/web/db/migrate.ts';
import { MIGRATIONS } from '../services/web/db/migrations.ts';
import { loadPosts, loadUsers } from './seed/load.ts';

const schema = {
  STACK_FILE: field(text(), defaultStackFile(process.env)),
  SEED_USERS: field(integer(1, 10_000_000), 10_000),
  SEED_POSTS: field(integer(0, 100_000_000), 200_000),
  SEED_BATCH: field(integer(10, 20_000), 1000),
  SEED_CONCURRENCY: field(integer(1, 32), 4),
  SEED_DAYS: field(integer(1, 3650), 90),
  SEED_PASSWORD: field(text(/^.{8,128}$/, '8 to 128 characters'), 'seed-password'),
  SEED_RANDOM: field(integer(0, 2 ** 31), 42),
};

const PASSWORD_COST = 14;

interface Database {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

function databaseOf(stack: StackFile, instance: string): Database {
  const service = stack.services.find((s) => s.name === instance);
  if (service?.ports.mysql === undefined) throw new Error(`stack.json has no ${instance}`);
  return {
    host: service.host,
    port: service.ports.mysql,
    user: stack.mysql.user,
    password: readFileSync(stack.secrets['mysql-password'], 'utf8').trim(),
    database: stack.mysql.database,
  };
}

const connect = (db: Database): Promise<Connection> =>
  createConnection({ ...db, connectTimeout: 5000 });

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

/** The schema the web servers would create, in case seeding runs before any of them started. */
async function ensureSchema(db: Database): Promise<void> {
  const noMetrics = { query: () => undefined, acquired: () => undefined, inUse: () => undefined };
  const primary = new DbTarget({
    ...db,
    name: 'primary',
    role: 'primary',
    poolSize: 1,
    connectTimeoutMs: 5000,
    acquireTimeoutMs: 5000,
    queryTimeoutMs: 120_000,
    observer: noMetrics,
  });
  try {
    await migrate(primary, MIGRATIONS, { info: () => undefined });
  } finally {
    await primary.close();
  }
}

/** ANALYZE TABLE is written to the binlog, so the replicas refresh theirs too. */
async function refreshStatistics(conn: Connection): Promise<void> {
  const [rows] = await conn.query<RowDataPacket[]>('ANALYZE TABLE users, posts');
  const failed = rows.filter((r) => r.Msg_type === 'error');
  if (failed.length > 0)
    throw new Error(`ANALYZE TABLE: ${failed.map((r) => `${r.Table}: ${r.Msg_text}`).join('; ')}`);
}

async function waitForReplicas(stack: StackFile, position: string): Promise<void> {
  for (const replica of stack.services.filter((s) => s.kind === 'mysql-replica')) {
    const conn = await connect(databaseOf(stack, replica.name));
    try {
      const [[wait]] = await conn.query<RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, 300) AS r', [
        position,
      ]);
      console.log(`${replica.name}: ${wait?.r === 0 ? 'caught up' : 'still behind after 300 s'}`);
    } finally {
      await conn.end();
    }
  }
}

async function main(): Promise<void> {
  const env = parseEnv(process.env, schema);
  const stack = readStackFile(env.STACK_FILE);
  if (stack.federation !== null && stack.federation !== undefined)
    throw new Error(
      'make seed with FEDERATION=on: not supported (it writes users and posts to mysql-primary in one go; the posts live on mysql-posts)',
    );
  const primary = databaseOf(stack, 'mysql-primary');
  await ensureSchema(primary);

  const started = performance.now();
  const conns = await Promise.all(
    Array.from({ length: env.SEED_CONCURRENCY }, () => connect(primary)),
  );
  try {
    const userTime = performance.now();
    const hash = await hashPassword(env.SEED_PASSWORD, PASSWORD_COST);
    const authors = await loadUsers(conns, env.SEED_USERS, env.SEED_BATCH, hash);
    console.log(`users: ${authors.length} in ${seconds(userTime)} s`);

    const postTime = performance.now();
    const plan = {
      count: env.SEED_POSTS,
      batch: env.SEED_BATCH,
      days: env.SEED_DAYS,
      seed: env.SEED_RANDOM,
    };
    const bytes = await loadPosts(conns, authors, plan);
    console.log(
      `posts: ${env.SEED_POSTS} (${(bytes / 1024 / 1024).toFixed(0)} MiB of text) in ${seconds(postTime)} s`,
    );

    const first = conns[0] as Connection;
    const analyzeTime = performance.now();
    await refreshStatistics(first);
    console.log(`statistics refreshed in ${seconds(analyzeTime)} s`);
    const [[position]] = await first.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS pos');
    const replicaTime = performance.now();
    await waitForReplicas(stack, String(position?.pos ?? ''));
    console.log(
      `replicas caught up ${seconds(replicaTime)} s after the last insert; seeded in ${seconds(started)} s total`,
    );
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`seed: ${error.message}`);
  else console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
