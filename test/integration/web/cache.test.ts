/**
 * Cache-aside over memcached with the product's defaults (CACHE_PAGE_TTL_SECONDS=5): hits and
 * misses, a write making every cached view it changes stale at once (for anonymous readers too),
 * and memcached dead or paused (SIGSTOP) answered honestly with X-Cache: BYPASS, never a 5xx.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { headerOf } from '../../support/http.ts';
import { startTestMemcached } from '../../support/memcached-server.ts';
import { loggedInClient, startTestWeb } from '../../support/web-app.ts';

const CACHED = { STAGE: '4' };

interface Page {
  posts: { id: number; body: string }[];
}

test('cache-aside: a miss loads from a replica, the next read is a hit without the database', async (t) => {
  const web = await startTestWeb(t, CACHED);
  const { client } = await loggedInClient(web);
  const post = await client.post<{ id: number }>('/api/posts', { json: { body: 'cache me' } });
  const reader = web.client();
  const first = await reader.get(`/api/posts/${post.body.id}`);
  assert.equal(first.status, 200);
  assert.equal(headerOf(first, 'x-cache'), 'HIT', 'a new post is stored in the cache as written');
  assert.equal(headerOf(first, 'x-db'), undefined, 'a hit touches no database');

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
  assert.match(headerOf(feed1, 'x-db') ?? '', /^(replica-\d|primary)$/);
  assert.deepEqual(feed2.body, feed1.body);
});

test('a write makes every cached view it changes stale at once, for anonymous readers too', async (t) => {
  const web = await startTestWeb(t, CACHED);
  const { client, id } = await loggedInClient(web);
  await client.post('/api/posts', { json: { body: 'before' } });
  const reader = web.client();
  const views = ['/api/feed?limit=5', '/api/feed?limit=20', `/api/users/${id}/posts?limit=5`];
  for (const path of views) {
    await reader.get(path);
    assert.equal(headerOf(await reader.get(path), 'x-cache'), 'HIT', `${path} is cached`);
  }

  const written = await client.post<{ id: number }>('/api/posts', { json: { body: 'after' } });
  assert.equal(written.status, 201);
  let stale = 0;
  let tries = 0;
  for (let round = 0; round < 4; round++) {
    for (const path of views) {
      const page = await web.client().get<Page>(path);
      tries += 1;
      if (page.body.posts[0]?.id !== written.body.id) stale += 1;
    }
  }
  t.diagnostic(`anonymous reads missing the new post right after it: ${stale} of ${tries}`);
  assert.equal(stale, 0, 'no cached page older than the write is served');
  const again = await web.client().get('/api/feed?limit=5');
  assert.equal(headerOf(again, 'x-cache'), 'HIT', 'the fresh page is cached again');
});

test('the author reads their own post at once, from the cache or a server that has it', async (t) => {
  const web = await startTestWeb(t, CACHED);
  const { client } = await loggedInClient(web);
  await web.client().get('/api/feed?limit=5');
  const created = await client.post<{ id: number }>('/api/posts', { json: { body: 'fresh' } });
  const mine = await client.get<Page>('/api/feed?limit=5');
  assert.equal(mine.body.posts[0]?.body, 'fresh');
  assert.equal(mine.body.posts[0]?.id, created.body.id);
});

test('memcached unreachable: reads answer from the database with X-Cache: BYPASS, never 5xx', async (t) => {
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
    for (const path of [`/api/posts/${post.body.id}`, '/api/feed?limit=3']) {
      const read = await web.client().get(path);
      assert.equal(read.status, 200, path);
      assert.equal(headerOf(read, 'x-cache'), 'BYPASS', path);
      assert.match(headerOf(read, 'x-db') ?? '', /^(replica-\d|primary)$/, path);
    }
  }
});

test('memcached paused: reads answer in time with BYPASS; after it resumes no stale page is served', async (t) => {
  const memcached = await startTestMemcached(t);
  const web = await startTestWeb(t, { ...CACHED, MEMCACHED_SERVERS: memcached.address });
  const { client } = await loggedInClient(web);
  await client.post('/api/posts', { json: { body: 'cached before the pause' } });
  await web.client().get('/api/feed?limit=5');
  assert.equal(headerOf(await web.client().get('/api/feed?limit=5'), 'x-cache'), 'HIT');

  memcached.pause();
  const written = await client.post<{ id: number }>('/api/posts', {
    json: { body: 'written while memcached was paused' },
  });
  assert.equal(written.status, 201);
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const read = await web.client().get<Page>('/api/feed?limit=5');
    const ms = performance.now() - started;
    assert.equal(read.status, 200);
    assert.equal(headerOf(read, 'x-cache'), 'BYPASS');
    assert.ok(ms < 2000, `answered in ${ms.toFixed(0)} ms, not held by the paused cache`);
  }

  memcached.resume();
  // The page cached before the pause is still in memcached (its 5 s TTL has not run out).
  let seen = 'BYPASS';
  for (let i = 0; i < 40 && seen !== 'HIT'; i++) {
    const read = await web.client().get<Page>('/api/feed?limit=5');
    seen = headerOf(read, 'x-cache') ?? '';
    assert.equal(read.body.posts[0]?.id, written.body.id, `read ${i}: ${seen} page is fresh`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(seen, 'HIT', 'the cache serves again once memcached is back');
});

test('without CACHE there is no X-Cache header', async (t) => {
  const web = await startTestWeb(t, { STAGE: '1' });
  const read = await web.client().get('/api/feed');
  assert.equal(read.status, 200);
  assert.equal(headerOf(read, 'x-cache'), undefined);
});
