import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { headerOf } from '../../support/http.ts';
import { connectMysql } from '../../support/stack.ts';
import { loggedInClient, startTestWeb } from '../../support/web-app.ts';

interface Post {
  id: number;
  userId: number;
  username: string;
  body: string;
  createdAt: string;
}
interface Page {
  posts: Post[];
  next: string | null;
}

test('write a post, read it back, page through feed and user posts', async (t) => {
  const web = await startTestWeb(t);
  const { client, id, username } = await loggedInClient(web);
  const body = 'x'.repeat(1024);
  const created = await client.post<Post>('/api/posts', { json: { body } });
  assert.equal(created.status, 201);
  assert.deepEqual(
    [created.body.userId, created.body.username, created.body.body],
    [id, username, body],
  );
  assert.equal(
    (await client.post('/api/posts', { json: { body: `${body}y` } })).status,
    400,
    'over 1 KB',
  );
  assert.equal((await client.post('/api/posts', { json: { body: '   ' } })).status, 400, 'blank');
  assert.equal(
    (await web.client().post('/api/posts', { json: { body: 'anonymous' } })).status,
    401,
  );

  const read = await web.client().get<Post>(`/api/posts/${created.body.id}`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, created.body);
  assert.equal(headerOf(read, 'x-db'), 'primary');
  assert.equal((await web.client().get(`/api/posts/${created.body.id + 1000}`)).status, 404);

  for (let i = 0; i < 6; i++) await client.post('/api/posts', { json: { body: `post ${i}` } });
  const seen: number[] = [];
  let next: string | null = '';
  while (next !== null) {
    const reply: { status: number; body: Page } = await web
      .client()
      .get<Page>(`/api/feed?limit=3${next ? `&before=${next}` : ''}`);
    assert.equal(reply.status, 200);
    seen.push(...reply.body.posts.map((p) => p.id));
    next = reply.body.next;
  }
  assert.equal(seen.length, 7);
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => b - a),
    'newest first, no duplicates across pages',
  );
  assert.equal(new Set(seen).size, 7);

  const mine = await web.client().get<Page>(`/api/users/${id}/posts?limit=100`);
  assert.equal(mine.body.posts.length, 7);
  assert.equal(mine.body.next, null);
  assert.equal((await web.client().get(`/api/users/${id + 1000}/posts`)).status, 404);
});

test('a repeated Idempotency-Key writes one post, even when sent concurrently', async (t) => {
  const web = await startTestWeb(t);
  const { client, id } = await loggedInClient(web);
  const send = (body: string) =>
    client.post<Post>('/api/posts', {
      json: { body },
      headers: { 'idempotency-key': 'post-key-1' },
    });
  const replies = await Promise.all(Array.from({ length: 5 }, () => send('only once')));
  assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([201]));
  assert.equal(new Set(replies.map((r) => r.body.id)).size, 1);
  assert.equal((await send('a different body')).status, 422);
  const other = await client.post('/api/posts', {
    json: { body: 'only once' },
    headers: { 'idempotency-key': 'post-key-2' },
  });
  assert.equal(other.status, 201);
  const [rows] = await (await web.sql()).query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM posts WHERE user_id = ?',
    [id],
  );
  assert.equal(Number(rows[0]?.n), 2);
  assert.equal(
    (
      await client.post('/api/posts', {
        json: { body: 'x' },
        headers: { 'idempotency-key': 'has space' },
      })
    ).status,
    400,
  );
  assert.equal(
    (
      await client.post('/api/posts', {
        json: { body: 'x' },
        headers: { 'idempotency-key': 'k'.repeat(129) },
      })
    ).status,
    400,
  );
});

test('with READ_FROM=replicas a post written on the primary is read from both replicas', async (t) => {
  // CACHE=off so every read reaches a database server and says which one.
  const web = await startTestWeb(t, { STAGE: '4', CACHE: 'off' });
  const replicas = web.stack.services.filter((s) => s.kind === 'mysql-replica').map((s) => s.name);
  assert.ok(replicas.length >= 2, 'the shared test stack runs two replicas');
  const { client } = await loggedInClient(web);
  const created = await client.post<Post>('/api/posts', { json: { body: 'replicated' } });
  assert.equal(headerOf(created, 'x-db'), 'primary');

  for (const name of replicas) {
    const sql = await web.sql(name);
    let found = 0;
    for (let i = 0; i < 100 && found === 0; i++) {
      const [rows] = await sql.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM posts WHERE id = ? AND body = ?',
        [created.body.id, 'replicated'],
      );
      found = Number(rows[0]?.n);
      if (found === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(found, 1, `post on ${name}`);
    const asApp = await connectMysql(web.stack, {
      instance: name,
      as: 'app',
      database: web.database,
    });
    t.after(() => asApp.end());
    await assert.rejects(
      asApp.query("INSERT INTO posts (user_id, body) VALUES (1, 'no')"),
      /read-only|read_only/i,
      `${name} refuses the app's writes`,
    );
  }

  const servedBy = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const read = await web.client().get<Post>(`/api/posts/${created.body.id}`);
    assert.equal(read.status, 200);
    servedBy.add(headerOf(read, 'x-db') ?? '');
  }
  assert.deepEqual([...servedBy].sort(), ['replica-1', 'replica-2']);
});

test('a client that just wrote reads its own writes at once, from any server that has them', async (t) => {
  // CACHE=off so the read reaches a database server; lagging-replica.test.ts makes the replica lag.
  const web = await startTestWeb(t, { STAGE: '4', CACHE: 'off' });
  const { client } = await loggedInClient(web);
  for (let i = 0; i < 5; i++) {
    const created = await client.post<Post>('/api/posts', { json: { body: `mine ${i}` } });
    const own = await client.get<Post>(`/api/posts/${created.body.id}`);
    assert.equal(own.status, 200);
    assert.deepEqual(own.body, created.body);
    assert.match(headerOf(own, 'x-db') ?? '', /^(primary|replica-\d)$/);
  }
  const stranger = await web.client().get(`/api/feed?limit=1`);
  assert.match(headerOf(stranger, 'x-db') ?? '', /^replica-\d$/);
});
