/**
 * Item 6 of issue 6 on a stack of the product's defaults: the only write-API server given more
 * writes than LB_BACKEND_MAX_CONNECTIONS (64) at once. The rest wait in the pool's bounded queue
 * (LB_POOL_MAX_QUEUE, 256) for at most LB_QUEUE_TIMEOUT_MS (5 s), then get a 503; past the queue a
 * 503 comes at once. Nothing waits without a deadline; when the slots free, writes flow again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { Agent, request } from 'undici';
import { sleep, startOwnStack, until } from '../../support/own-stack.ts';

const MAX_CONNECTIONS = 64;
const POOL_QUEUE = 256;
const BODY = JSON.stringify({ body: `overload ${'x'.repeat(60)}` });

test('more writes than the write-API server takes: bounded queue, deadline, fast 503s', async (t) => {
  const stack = await startOwnStack(t);
  const entry = new URL(stack.info.entry ?? '');
  const login = stack.client();
  const user = { username: `overload_${Date.now().toString(36)}`, password: 'overload-test-1' };
  assert.equal((await login.post('/api/users', { json: user })).status, 201);
  assert.equal((await login.post('/api/sessions', { json: user })).status, 200);
  const cookie = `sid=${login.cookies.get('sid')}`;

  // Writes whose bodies arrive slowly hold every connection slot of write-api-1.
  const slow: TLSSocket[] = [];
  t.after(() => {
    for (const s of slow) s.destroy();
  });
  for (let i = 0; i < MAX_CONNECTIONS; i++) {
    const s = connect({ host: entry.hostname, port: Number(entry.port), ca: stack.ca });
    s.on('error', () => {});
    s.write(
      `POST /api/posts HTTP/1.1\r\nHost: ${entry.host}\r\nCookie: ${cookie}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 10)}`,
    );
    slow.push(s);
  }
  const writer = async () =>
    (await stack.stats()).pools.find((p) => p.name === 'write-api')?.backends[0];
  await until(
    async () => ((await writer()) as { inflight?: number } | undefined)?.inflight === 64,
    30_000,
    'every slot of write-api-1 taken',
  );

  const agent = new Agent({ connect: { ca: stack.ca }, connections: POOL_QUEUE + 10 });
  t.after(() => agent.close());
  const post = async () => {
    const started = performance.now();
    const r = await request(new URL('/api/posts', entry), {
      method: 'POST',
      dispatcher: agent,
      headers: { cookie, 'content-type': 'application/json' },
      body: BODY,
    });
    const text = await r.body.text();
    const code =
      r.statusCode >= 400 ? (JSON.parse(text) as { error: { code: string } }).error.code : '';
    return { status: r.statusCode, code, ms: performance.now() - started };
  };
  const queued = Array.from({ length: POOL_QUEUE }, post);
  await until(
    async () =>
      (await stack.stats()).pools.find((p) => p.name === 'write-api')?.queued === POOL_QUEUE,
    30_000,
    'the pool queue full',
  );
  const refused = await post();
  assert.deepEqual([refused.status, refused.code], [503, 'LB_ERR_QUEUE_FULL']);
  assert.ok(refused.ms < 4500, `refused at once (${Math.round(refused.ms)} ms), not queued`);
  const waited = await Promise.all(queued);
  const verdicts = [...new Set(waited.map((r) => `${r.status} ${r.code}`))];
  assert.deepEqual(verdicts, ['503 LB_ERR_QUEUE_TIMEOUT'], 'each waited its 5 s, then 503');
  assert.ok(Math.min(...waited.map((r) => r.ms)) >= 4900, 'not before the queue timeout (5 s)');

  for (const s of slow) s.write(BODY.slice(10));
  await sleep(500);
  const after = await post();
  assert.equal(after.status, 201, 'writes flow again once the slots free');
  const pool = (await stack.stats()).pools.find((p) => p.name === 'write-api');
  assert.equal(pool?.queueFull, 1);
  assert.equal(pool?.queueTimeouts, POOL_QUEUE);
});
