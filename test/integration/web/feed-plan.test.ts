import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { feedPage, userPostsPage } from '../../../services/web/posts/sql.ts';
import { startTestWeb } from '../../support/web-app.ts';

test('feed queries walk the created_at indexes instead of sorting the posts table', async (t) => {
  const web = await startTestWeb(t);
  const sql = await web.sql();
  await sql.query(
    "INSERT INTO users (username, password_hash) VALUES ('a', 'x'), ('b', 'x'), ('c', 'x')",
  );
  const rows = Array.from({ length: 3000 }, (_, i) => [
    1 + (i % 3),
    `post ${i}`,
    new Date(Date.UTC(2026, 0, 1) + i * 60_000),
  ]);
  await sql.query('INSERT INTO posts (user_id, body, created_at) VALUES ?', [rows]);
  await sql.query('ANALYZE TABLE posts, users');
  const cursor = { createdAt: new Date(Date.UTC(2026, 0, 2)), id: 1500 };
  const plans: [string, [string, unknown[]], string][] = [
    ['feed, first page', feedPage(20, undefined), 'idx_posts_created'],
    ['feed, later page', feedPage(20, cursor), 'idx_posts_created'],
    ["a user's posts", userPostsPage(2, 20, undefined), 'idx_posts_user_created'],
    ["a user's posts, later page", userPostsPage(2, 20, cursor), 'idx_posts_user_created'],
  ];
  for (const [name, [query, params], index] of plans) {
    const [explain] = await sql.query<RowDataPacket[]>(`EXPLAIN ${query}`, params);
    const posts = explain.find((r) => r.table === 'p');
    assert.equal(posts?.key, index, name);
    for (const row of explain)
      assert.doesNotMatch(
        String(row.Extra ?? ''),
        /filesort|temporary/i,
        `${name}: ${JSON.stringify(row)}`,
      );
    const users = explain.find((r) => r.table === 'u');
    assert.match(String(users?.type), /eq_ref|const/, `${name}: authors joined by primary key`);
  }
});
