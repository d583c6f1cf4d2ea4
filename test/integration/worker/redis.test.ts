/**
 * The queue's Redis paused, killed, or configured to evict, on a private redis-server with the
 * product's redis.conf. Uploads are always answered (202 or 503, never a hang or a 500), nothing
 * answered 202 is lost, workers reconnect, and a Redis that may evict keys is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { image } from '../../support/images.ts';
import { startTestRedis } from '../../support/redis-server.ts';
import { settled, startQueueWeb, upload } from '../../support/thumbnails.ts';
import { startTestWeb } from '../../support/web-app.ts';
import { startTestWorker } from '../../support/worker.ts';

/** Uploads `count` images one after another; every answer must come within `withinMs`. */
async function uploads(client: Parameters<typeof upload>[0], count: number, withinMs: number) {
  const bytes = await image('jpeg', 320, 240);
  const answers: { status: number; id?: number }[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const reply = await upload(client, bytes);
    assert.ok(performance.now() - started < withinMs, `answered within ${withinMs} ms`);
    assert.ok([202, 503].includes(reply.status), `202 or 503, not ${reply.status}`);
    answers.push({ status: reply.status, ...(reply.status === 202 ? { id: reply.body.id } : {}) });
  }
  return answers;
}

test('Redis paused (SIGSTOP) during uploads: all answered, every 202 becomes ready', async (t) => {
  const redis = await startTestRedis(t);
  const { web, client } = await startQueueWeb(t, { REDIS_URL: redis.url });
  const worker = startTestWorker(t, web);
  await worker.waitReady();
  const answers = await uploads(client, 3, 5000);
  redis.pause();
  // Sessions live in the same Redis (stage 6): a paused one costs one command timeout, then 503.
  answers.push(...(await uploads(client, 4, 5000)));
  redis.resume();
  // The client closed the connection that waited through the pause (socketTimeout, see
  // services/shared/redis-options.ts) and reconnects with backoff: uploads are accepted again
  // within seconds, not at once.
  const resumed = performance.now();
  let again = await uploads(client, 1, 5000);
  while (again[0]?.status !== 202 && performance.now() - resumed < 15_000) {
    answers.push(...again);
    await new Promise((r) => setTimeout(r, 250));
    again = await uploads(client, 1, 5000);
  }
  t.diagnostic(
    `uploads accepted again ${Math.round(performance.now() - resumed)} ms after the resume`,
  );
  assert.equal(again[0]?.status, 202, 'uploads are accepted again after the resume');
  const after = await uploads(client, 3, 5000);
  assert.deepEqual(
    after.map((a) => a.status),
    [202, 202, 202],
  );
  answers.push(...again, ...after);
  const accepted = answers.filter((a) => a.status === 202);
  assert.ok(
    answers.some((a) => a.status === 503),
    'the pause was felt',
  );
  assert.ok(accepted.length >= 7, JSON.stringify(answers));
  for (const { id } of accepted) assert.equal((await settled(client, id ?? 0)).thumbnail, 'ready');
  await worker.waitReady();
});

test('Redis killed and restarted: uploads go on into the outbox, then all become ready', async (t) => {
  const redis = await startTestRedis(t);
  // Sessions in memory here, so uploads do not need Redis: what is tested is the path from an
  // accepted upload to its job while the queue is down. (With stage 6's Redis sessions, uploads
  // answer 503 while Redis is down, as the paused-Redis test shows.)
  const { web, client } = await startQueueWeb(t, {
    REDIS_URL: redis.url,
    SESSION_STORE: 'memory',
    READ_API_REPLICAS: '0',
    WRITE_API_REPLICAS: '0',
  });
  const worker = startTestWorker(t, web);
  await worker.waitReady();
  // Just before the crash: jobs Redis acknowledged may not be on disk yet (AOF every second).
  const answers = await uploads(client, 3, 5000);
  await redis.kill();
  const during = await uploads(client, 4, 5000);
  assert.deepEqual(
    during.map((a) => a.status),
    [202, 202, 202, 202],
    'accepted into the outbox',
  );
  const metrics = String((await web.client().get('/metrics')).body);
  assert.match(metrics, /thumbnail_enqueue_total\{outcome="deferred"\} 4/);
  await redis.start();
  answers.push(...during, ...(await uploads(client, 2, 5000)));
  for (const { id } of answers)
    assert.equal((await settled(client, id ?? 0, 120_000)).thumbnail, 'ready', `media ${id}`);
  await worker.waitReady();
});

test('a Redis that may evict keys is refused by the web servers and the workers', async (t) => {
  const evicting = await startTestRedis(t, ['--maxmemory-policy', 'allkeys-lru']);
  // SHARDS=1: this web server joins the shared (unsharded) stack; stage 6 would want shard servers.
  const stageSix = { STAGE: '6', SHARDS: '1', REDIS_URL: evicting.url };
  await assert.rejects(startTestWeb(t, stageSix), (error: Error) => {
    assert.match(
      error.message,
      /REDIS_URL=redis:\/\/127\.0\.0\.1:\d+\) has maxmemory-policy allkeys-lru/,
    );
    assert.match(error.message, /noeviction/);
    return true;
  });
  const { web } = await startQueueWeb(t);
  const worker = startTestWorker(t, web, { REDIS_URL: evicting.url });
  assert.deepEqual(await worker.exited, { code: 2, signal: null });
  assert.ok(
    worker.output.some((line) => line.includes('maxmemory-policy allkeys-lru')),
    worker.output.join('\n'),
  );
});
