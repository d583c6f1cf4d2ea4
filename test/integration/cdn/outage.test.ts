/**
 * The edge when its store fails, each test with its own S3 store (a real s3rver process) so the
 * shared one is never paused: paused (SIGSTOP) → a stale copy answers within the origin deadline
 * and an uncached key gets a JSON 504/502; killed → stale copies answer and uncached keys get a
 * fast JSON 502, and the edge recovers when the store returns; SIGTERM → in-flight requests
 * finish, then exit 0. The edge runs at its product settings; objects get a 1 s lifetime from the
 * origin's own Cache-Control so a copy is stale when the store fails.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { type TestContext, test } from 'node:test';
import { freshKey, putObject, startTestCdn, storeClient } from '../../support/cdn.ts';
import { headerOf } from '../../support/http.ts';
import { startTestS3 } from '../../support/s3-server.ts';
import { readStackFile } from '../../support/stack.ts';

const stack = readStackFile();
/** CDN_ORIGIN_TIMEOUT_MS's default, and slack for a busy machine. */
const ORIGIN_DEADLINE_MS = 10_000;
const SLACK_MS = 2500;

async function setup(t: TestContext) {
  const store = await startTestS3(t, stack);
  const cdn = await startTestCdn(t, stack, { S3_ENDPOINT: store.endpoint });
  const s3 = storeClient(stack, store.endpoint);
  t.after(() => s3.destroy());
  const key = freshKey();
  const bytes = randomBytes(4000);
  await putObject(s3, stack, key, bytes, 'max-age=1');
  const warm = await cdn.client().get(`/files/${key}`);
  assert.equal(headerOf(warm, 'x-cache'), 'MISS');
  const uncached = freshKey();
  await putObject(s3, stack, uncached, Buffer.from('never fetched'));
  await new Promise((r) => setTimeout(r, 1200)); // the copy is now stale
  return { store, cdn, key, bytes, uncached };
}

const errorCode = (body: unknown) => (body as { error?: { code?: string } }).error?.code;

test('store paused: stale-if-error within the origin deadline; nothing cached is a JSON 504/502', async (t) => {
  const { store, cdn, key, bytes, uncached } = await setup(t);
  store.signal('SIGSTOP');
  t.after(() => store.signal('SIGCONT'));
  const started = Date.now();
  const stale = await cdn.client().get(`/files/${key}`);
  const took = Date.now() - started;
  assert.equal(stale.status, 200);
  assert.equal(headerOf(stale, 'x-cache'), 'STALE');
  assert.ok(stale.raw.equals(bytes));
  assert.ok(took < ORIGIN_DEADLINE_MS + SLACK_MS, `answered in ${took} ms`);
  const missing = await cdn.client().get(`/files/${uncached}`);
  assert.ok([502, 504].includes(missing.status), String(missing.status));
  assert.match(String(errorCode(missing.body)), /^CDN_ERR_ORIGIN_(TIMEOUT|UNAVAILABLE)$/);
  assert.doesNotMatch(missing.raw.toString(), /127\.0\.0\.1|ECONN|stack|s3rver/i);
  store.signal('SIGCONT');
  const back = await waitFor(async () => {
    const r = await cdn.client().get(`/files/${uncached}`);
    return r.status === 200 ? r : undefined;
  });
  assert.equal(back.raw.toString(), 'never fetched');
});

test('store killed: stale copies answer, uncached keys get a fast JSON 502, then it recovers', async (t) => {
  const { store, cdn, key, bytes, uncached } = await setup(t);
  await store.kill();
  const stale = await cdn.client().get(`/files/${key}`);
  assert.equal(headerOf(stale, 'x-cache'), 'STALE');
  assert.ok(stale.raw.equals(bytes));
  const started = Date.now();
  const missing = await cdn.client().get(`/files/${uncached}`);
  assert.equal(missing.status, 502);
  assert.equal(errorCode(missing.body), 'CDN_ERR_ORIGIN_UNAVAILABLE');
  assert.ok(Date.now() - started < ORIGIN_DEADLINE_MS, 'refused connections fail fast');
  await store.start();
  const back = await waitFor(async () => {
    const r = await cdn.client().get(`/files/${uncached}`);
    return r.status === 200 ? r : undefined;
  });
  assert.equal(headerOf(back, 'x-cache'), 'MISS');
});

test('SIGTERM: the in-flight request finishes, new connections are refused, exit 0', async (t) => {
  const { store, cdn, uncached } = await setup(t);
  store.signal('SIGSTOP');
  t.after(() => store.signal('SIGCONT'));
  const inFlight = cdn.client().get(`/files/${uncached}`);
  await new Promise((r) => setTimeout(r, 300));
  cdn.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  const { port } = new URL(cdn.url);
  const refused = await new Promise<boolean>((resolve) => {
    const s = connect(Number(port), '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
  assert.ok(refused, 'a draining edge takes no new connections');
  store.signal('SIGCONT');
  const reply = await inFlight;
  assert.equal(reply.status, 200);
  assert.equal(reply.raw.toString(), 'never fetched');
  const exit = await cdn.exited;
  assert.deepEqual(exit, { code: 0, signal: null });
});

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
