/**
 * Dependencies that are down: the app answers 503 with a JSON body and Retry-After (never 500,
 * never a hang) where it needs them, and keeps serving what does not need them.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { type TestContext, test } from 'node:test';
import { FormData } from 'undici';
import { headerOf } from '../../support/http.ts';
import { image } from '../../support/images.ts';
import { readStackFile, serviceOf } from '../../support/stack.ts';
import { loggedInClient, startTestWeb } from '../../support/web-app.ts';

/** A port where nothing listens (bound, then closed). */
async function deadPort(t: TestContext): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.diagnostic(`dead port ${address.port}`);
  return address.port;
}

test('Redis down: logged-in routes answer 503, anonymous pages keep working', async (t) => {
  const web = await startTestWeb(t, {
    STAGE: '3',
    READ_API_REPLICAS: '0',
    WRITE_API_REPLICAS: '0',
    REDIS_URL: `redis://127.0.0.1:${await deadPort(t)}`,
  });
  const client = web.client();
  const signup = await client.post('/api/users', {
    json: { username: 'nosessions', password: 'password-123' },
  });
  assert.equal(signup.status, 201, 'sign-up needs no session');
  const login = await client.post<{ error: { code: string } }>('/api/sessions', {
    json: { username: 'nosessions', password: 'password-123' },
  });
  assert.equal(login.status, 503);
  assert.equal(login.body.error.code, 'WEB_ERR_SESSION_STORE_UNAVAILABLE');
  assert.equal(headerOf(login, 'retry-after'), '1');
  const me = await client.get('/api/me', { headers: { cookie: `sid=${'A'.repeat(43)}` } });
  assert.equal(me.status, 503);
  for (const path of ['/api/feed', '/api/products', '/', '/health/live']) {
    assert.equal((await client.get(path)).status, 200, path);
  }
  const ready = await client.get<{ ready: boolean; dependencies: Record<string, string> }>(
    '/health/ready',
  );
  assert.equal(ready.status, 200, 'still ready: the database answers');
  assert.equal(ready.body.dependencies.redis, 'down');
});

test('object store down: uploads answer 503, everything else works', async (t) => {
  const web = await startTestWeb(t, {
    STAGE: '2',
    S3_ENDPOINT: `http://127.0.0.1:${await deadPort(t)}`,
    S3_TIMEOUT_MS: '1000',
  });
  const { client } = await loggedInClient(web);
  const form = new FormData();
  form.append('file', new Blob([await image('png', 32, 32)]), 'x.png');
  const started = performance.now();
  const upload = await client.post<{ error: { code: string } }>('/api/media', { form });
  assert.equal(upload.status, 503);
  assert.equal(upload.body.error.code, 'WEB_ERR_STORAGE_UNAVAILABLE');
  assert.ok(performance.now() - started < 10_000, 'answered, not hung');
  assert.equal((await client.post('/api/posts', { json: { body: 'still posting' } })).status, 201);
  assert.equal(
    (await client.get('/files/media/00000000-0000-0000-0000-000000000000/thumbnail.webp')).status,
    503,
  );
});

test('a dead replica: reads move to the other replica or the primary', async (t) => {
  const live = serviceOf(readStackFile(), 'mysql-replica-1');
  const replicas = `127.0.0.1:${await deadPort(t)},${live.host}:${live.ports.mysql}`;
  // CACHE=off so every read reaches a database server; the cache's own faults are in cache.test.ts.
  const web = await startTestWeb(t, { STAGE: '4', CACHE: 'off', MYSQL_REPLICAS: replicas });
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const read = await web.client().get('/api/feed?limit=1');
    assert.equal(read.status, 200);
    seen.add(headerOf(read, 'x-db') ?? '');
  }
  assert.ok(!seen.has('replica-1'), 'the dead replica never answers');
  assert.ok(seen.has('replica-2'), `the live replica serves reads (${[...seen].join(', ')})`);
});
