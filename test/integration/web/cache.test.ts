import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { headerOf } from '../../support/http.ts';
import { loggedInClient, startTestWeb } from '../../support/web-app.ts';

const CACHED = { STAGE: '4', CACHE: 'memcached', READ_YOUR_WRITES_MS: '3000' };

test('cache-aside: a miss loads from a replica, the next read is a hit without the database', async (t) => {
  const web = await startTestWeb(t, CACHED);
  const { client } = await loggedInClient(web);
  const post = await client.post<{ id: number }>('/api/posts', { json: { body: 'cache me' } });
  const reader = web.client();
  const first = await reader.get(`/api/posts/${post.body.id}`);
  assert.equal(first.status, 200);
  assert.equal(headerOf(first, 'x-cache'), 'MISS');
  assert.match(headerOf(first, 'x-db') ?? '', /^replica-\d$/);
  const second = await reader.get(`/api/posts/${post.body.id}`);
  assert.equal(headerOf(second, 'x-cache'), 'HIT');
  assert.equal(headerOf(second, 'x-db'), undefined, 'a hit touches no database');
  assert.deepEqual(second.body, first.body);

  const missing = await reader.get('/api/posts/987654321');
  assert.equal(missing.status, 404);
  assert.equal(
    (await reader.get('/api/posts/987654321')).status,
    404,
    'misses are not cached as hits',
  );

  const feed1 = await reader.get('/api/feed?limit=5');
  const feed2 = await reader.get('/api/feed?limit=5');
  assert.deepEqual([headerOf(feed1, 'x-cache'), headerOf(feed2, 'x-cache')], ['MISS', 'HIT']);
});

test('a client that just wrote bypasses cached pages and sees its post at once', async (t) => {
  const web = await startTestWeb(t, CACHED);
  const { client } = await loggedInClient(web);
  await web.client().get('/api/feed?limit=5');
  await client.post('/api/posts', { json: { body: 'fresh' } });
  const mine = await client.get<{ posts: { body: string }[] }>('/api/feed?limit=5');
  assert.equal(headerOf(mine, 'x-cache'), 'BYPASS');
  assert.equal(headerOf(mine, 'x-db'), 'primary');
  assert.equal(mine.body.posts[0]?.body, 'fresh');
});

test('with memcached unreachable reads still answer from the database, never 5xx', async (t) => {
  const dead = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => dead.close(() => resolve())));
  const address = dead.address();
  assert.ok(address !== null && typeof address === 'object');
  const web = await startTestWeb(t, { ...CACHED, MEMCACHED_SERVERS: `127.0.0.1:${address.port}` });
  const { client } = await loggedInClient(web);
  const post = await client.post<{ id: number }>('/api/posts', {
    json: { body: 'no cache today' },
  });
  for (let i = 0; i < 10; i++) {
    const read = await web.client().get(`/api/posts/${post.body.id}`);
    assert.equal(read.status, 200);
    assert.equal(headerOf(read, 'x-cache'), 'MISS');
  }
});

test('without CACHE there is no X-Cache header', async (t) => {
  const web = await startTestWeb(t, { STAGE: '1' });
  const read = await web.client().get('/api/feed');
  assert.equal(read.status, 200);
  assert.equal(headerOf(read, 'x-cache'), undefined);
});
