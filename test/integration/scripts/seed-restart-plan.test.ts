/**
 * The feed's plan on the data a user has: `make seed`, then stop the stack and start it again, as
 * a user does, and EXPLAIN the post queries on the primary and every replica. Nothing here runs
 * ANALYZE: the statistics are whatever the product left. (Before the seed refreshed them, InnoDB's
 * persisted statistics of a fast bulk load still described the empty table after the restart and
 * the feed became a full scan with a filesort: ~1 s a request on 200k posts.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { type StartedStack, startStack } from '../../../runner/stack/api.ts';
import { feedPage, userPostsPage } from '../../../services/web/posts/sql.ts';
import { baseStackEnv, connectMysql, query, servicesOfKind } from '../../support/stack.ts';

/** Small enough to load within InnoDB's 10 s background-recalculation interval, as a fast seed is. */
const SEED = { SEED_USERS: '200', SEED_POSTS: '30000', SEED_BATCH: '2000', SEED_CONCURRENCY: '2' };

test('after make seed and a restart, the post queries walk their indexes (no filesort)', async (t) => {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-seed-restart-'));
  let stack: StartedStack | undefined;
  t.after(async () => {
    await stack?.stop();
    rmSync(stackDir, { recursive: true, force: true });
  });
  stack = await startStack({ env: baseStackEnv(), stackDir, portBase: 'auto' });
  const portBase = stack.portBase;
  const seeded = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
    env: { ...process.env, ...SEED, STACK_FILE: join(stackDir, 'stack.json') },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(seeded.status, 0, seeded.stderr);
  await stack.stop();
  stack = undefined;
  stack = await startStack({ env: baseStackEnv(), stackDir, portBase });
  const info = stack.info;

  const primary = await connectMysql(info, { as: 'app', database: info.mysql.database });
  const [newest] = await query(
    primary,
    'SELECT id, user_id, created_at FROM posts ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 500',
  ).finally(() => primary.end());
  assert.ok(newest, 'the seed wrote posts');
  const cursor = { createdAt: newest.created_at as Date, id: BigInt(newest.id as string | number) };
  const author = BigInt(newest.user_id as string | number);
  const plans: [string, [string, unknown[]], string][] = [
    ['feed, first page', feedPage(20, undefined), 'idx_posts_created'],
    ['feed, later page', feedPage(20, cursor), 'idx_posts_created'],
    ["a user's posts", userPostsPage(author, 20, undefined), 'idx_posts_user_created'],
    ["a user's posts, later page", userPostsPage(author, 20, cursor), 'idx_posts_user_created'],
  ];
  const instances = ['mysql-primary', ...servicesOfKind(info, 'mysql-replica').map((s) => s.name)];
  for (const instance of instances) {
    const conn = await connectMysql(info, { instance, as: 'app', database: info.mysql.database });
    try {
      for (const [name, [sql, params], index] of plans) {
        const [explain] = await conn.query<RowDataPacket[]>(
          { sql: `EXPLAIN ${sql}`, timeout: 10_000 },
          params,
        );
        const where = `${instance}, ${name}: ${JSON.stringify(explain)}`;
        assert.equal(explain.find((r) => r.table === 'p')?.key, index, where);
        for (const row of explain)
          assert.doesNotMatch(String(row.Extra ?? ''), /filesort|temporary/i, where);
        assert.match(String(explain.find((r) => r.table === 'u')?.type), /eq_ref|const/, where);
      }
    } finally {
      await conn.end();
    }
  }
});
