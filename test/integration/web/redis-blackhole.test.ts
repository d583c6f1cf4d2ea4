/**
 * Redis behind a link that swallows data (a fault proxy in front of the shared stack's real Redis
 * with Toxiproxy's `timeout` toxic, timeout 0: the connection stays open, what is sent is dropped).
 * Logged-in routes answer 503 meanwhile. Found by the redis-blackhole drill: after the link healed
 * they never came back, because the client still waited, in order, for replies to the commands
 * that were dropped, so every later reply was taken for one of those and every later command
 * timed out. Now a connection that waits for a reply twice as long as a command may is closed and
 * opened again, and the routes resume by themselves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaultProxy } from '../../../services/fault-proxy/proxy.ts';
import { readStackFile, serviceOf } from '../../support/stack.ts';
import { loggedInClient, startTestWeb } from '../../support/web-app.ts';

const stack = readStackFile();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('logged-in routes answer 503 while Redis swallows requests and resume once it answers', async (t) => {
  const redis = serviceOf(stack, 'redis');
  const proxy = new FaultProxy(
    'redis',
    { host: '127.0.0.1', port: 0 },
    { host: redis.host, port: redis.ports.redis ?? 0 },
  );
  await proxy.enable();
  t.after(() => proxy.disable());
  // The default stage with its Redis reached through the proxy: the fault under test.
  const web = await startTestWeb(t, { STAGE: '4', REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
  const { client } = await loggedInClient(web);
  assert.equal((await client.get('/api/cart')).status, 200);

  proxy.addToxic({
    name: 'timeout_upstream',
    type: 'timeout',
    stream: 'upstream',
    toxicity: 1,
    attributes: { timeout: 0 },
  });
  for (let i = 0; i < 3; i++) {
    const during = await client.get<{ error: { code: string } }>('/api/cart');
    assert.equal(during.status, 503);
    assert.equal(during.body.error.code, 'WEB_ERR_SESSION_STORE_UNAVAILABLE');
  }
  const anonymous = await web.client().get('/api/feed');
  assert.equal(anonymous.status, 200, 'anonymous pages keep working');

  proxy.clearToxics();
  const healed = performance.now();
  let status = 0;
  while (status !== 200 && performance.now() - healed < 15_000) {
    await sleep(250);
    status = (await client.get('/api/cart')).status;
  }
  assert.equal(status, 200, 'the cart answers again after the link heals');
  const resumedMs = performance.now() - healed;
  // At most a dead connection's wait (2 × REDIS_COMMAND_TIMEOUT_MS) plus a reconnect's backoff.
  assert.ok(resumedMs < 8000, `resumed ${Math.round(resumedMs)} ms after the heal`);
  // The session survived: the same client, no new login.
  assert.equal((await client.get('/api/cart')).status, 200);
});
