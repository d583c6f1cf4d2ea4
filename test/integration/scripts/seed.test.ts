import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { connectMysql, query, readStackFile, waitForReplica } from '../../support/stack.ts';

const count = async (instance: string, sql: string) => {
  const stack = readStackFile();
  const conn = await connectMysql(stack, { instance, database: stack.mysql.database });
  try {
    return Number((await query(conn, sql))[0]?.n);
  } finally {
    await conn.end();
  }
};

test('make seed loads users and posts into the running stack and waits for the replicas', async () => {
  const postsBefore = await count('mysql-primary', 'SELECT COUNT(*) AS n FROM posts');
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
    env: {
      ...process.env,
      SEED_USERS: '40',
      SEED_POSTS: '600',
      SEED_BATCH: '100',
      SEED_CONCURRENCY: '2',
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /users: 40 in/);
  assert.match(result.stdout, /posts: 600 \(\d+ MiB of text\)/);
  assert.match(result.stdout, /mysql-replica-1: caught up/);
  assert.equal(
    (await count(
      'mysql-primary',
      "SELECT COUNT(*) AS n FROM users WHERE username LIKE 'seed\\_%'",
    )) >= 40,
    true,
  );
  const postsAfter = await count('mysql-primary', 'SELECT COUNT(*) AS n FROM posts');
  assert.equal(postsAfter - postsBefore >= 600, true);
  for (const replica of ['mysql-replica-1', 'mysql-replica-2']) {
    await waitForReplica(readStackFile(), replica);
    assert.ok(
      (await count(replica, 'SELECT COUNT(*) AS n FROM posts')) >= postsAfter,
      `${replica} has every post`,
    );
  }
  const sizes = await count(
    'mysql-primary',
    "SELECT ROUND(AVG(CHAR_LENGTH(body))) AS n FROM posts p JOIN users u ON u.id = p.user_id WHERE u.username LIKE 'seed\\_%'",
  );
  assert.ok(sizes > 900 && sizes < 1100, `average post ${sizes} characters`);
});
