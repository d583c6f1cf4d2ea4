/**
 * Expensive endpoints under abuse, with the product's limits: sign-ups are limited per client
 * (60 a minute) across every server sharing Redis; behind a trusted proxy the client is the
 * X-Forwarded-For address, from anyone else that header buys nothing; too many password hashes in
 * flight (32), or a stalled event loop, are shed with 503 — all with Retry-After, while health
 * checks keep answering.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headerOf } from '../../support/http.ts';
import { startTestWeb, type TestWeb } from '../../support/web-app.ts';

const SIGNUPS_PER_MINUTE = 60;
const PENDING_HASHES = 32;

type ErrorBody = { error?: { code: string } };

/**
 * A sign-up attempt. The limit counts every attempt, before the body is looked at, so most of
 * these are refused ones (a short password: 400 without a password hash) to keep the test quick.
 */
const attempt = (web: TestWeb, headers: Record<string, string> = {}, password = 'short') =>
  web.client().post<ErrorBody>('/api/users', {
    json: { username: `u_${Math.random().toString(36).slice(2, 10)}`, password },
    headers,
  });

const remaining = (reply: { headers: Record<string, unknown> }) =>
  Number(reply.headers['x-ratelimit-remaining']);

test('sign-ups are limited per client, shared by every server of the app', async (t) => {
  const one = await startTestWeb(t, { STAGE: '4' });
  const two = await startTestWeb(t, { STAGE: '4' }, { database: one.database });
  assert.equal((await attempt(one, {}, 'password-123')).status, 201, 'a real sign-up counts too');
  for (let i = 1; i < SIGNUPS_PER_MINUTE; i++) {
    assert.equal((await attempt(i % 2 === 0 ? one : two)).status, 400);
  }
  const limited = await attempt(one, {}, 'password-123');
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error?.code, 'WEB_ERR_RATE_LIMITED');
  const retryAfter = Number(headerOf(limited, 'retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
  assert.equal((await attempt(two, {}, 'password-123')).status, 429, 'the other server counts too');
  assert.equal((await one.client().get('/health/live')).status, 200);
  const login = await one.client().post('/api/sessions', {
    json: { username: 'nobody_here', password: 'password-123' },
  });
  assert.equal(login.status, 401, 'logins have their own count');
});

test('behind a trusted proxy each X-Forwarded-For client has its own count', async (t) => {
  // The test client plays the LB (127.0.0.1); in the stack TRUST_PROXY is the LB's address.
  const web = await startTestWeb(t, { STAGE: '4', TRUST_PROXY: '127.0.0.1' });
  const first = await attempt(web, { 'x-forwarded-for': '203.0.113.7' });
  const again = await attempt(web, { 'x-forwarded-for': '203.0.113.7' });
  const other = await attempt(web, { 'x-forwarded-for': '203.0.113.8' });
  assert.deepEqual(
    [remaining(first), remaining(again), remaining(other)],
    [SIGNUPS_PER_MINUTE - 1, SIGNUPS_PER_MINUTE - 2, SIGNUPS_PER_MINUTE - 1],
  );

  const untrusted = await startTestWeb(t, { STAGE: '4' });
  const spoofed = [];
  for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
    spoofed.push(remaining(await attempt(untrusted, { 'x-forwarded-for': address })));
  assert.deepEqual(
    spoofed,
    [1, 2, 3].map((n) => SIGNUPS_PER_MINUTE - n),
    'an untrusted X-Forwarded-For does not buy a new count',
  );
});

test('too many password hashes in flight are shed with 503 and Retry-After', async (t) => {
  const web = await startTestWeb(t, { STAGE: '4' });
  const count = PENDING_HASHES + 16;
  const logins = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      web.client().post<ErrorBody>('/api/sessions', {
        json: { username: `nobody_${i}`, password: 'wrong-password' },
      }),
    ),
  );
  const shed = logins.filter((r) => r.status === 503);
  t.diagnostic(`${count} concurrent logins: ${shed.length} shed, ${count - shed.length} checked`);
  assert.ok(shed.length > 0, 'some are shed');
  for (const reply of shed) {
    assert.equal(reply.body.error?.code, 'WEB_ERR_OVERLOADED');
    assert.equal(headerOf(reply, 'retry-after'), '1');
  }
  assert.ok(
    logins.every((r) => r.status === 401 || r.status === 503),
    'the rest are checked normally',
  );
});

test('a stalled event loop sheds requests with 503, health keeps answering', async (t) => {
  const web = await startTestWeb(t, { STAGE: '4' });
  const client = web.client();
  assert.equal((await client.get('/api/products')).status, 200);
  // Stall this process's event loop (the app runs in it): blocks of 1.2 s with only an immediate
  // in between, so its mean delay over a sample passes the 1 s default.
  for (let i = 0; i < 3; i++) {
    const until = Date.now() + 1200;
    while (Date.now() < until) {
      // busy
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const shed = await client.get<ErrorBody>('/api/products');
  assert.equal(shed.status, 503);
  assert.equal(shed.body.error?.code, 'WEB_ERR_OVERLOADED');
  assert.equal(headerOf(shed, 'retry-after'), '1');
  assert.equal((await client.get('/health/live')).status, 200, 'liveness is never shed');
  let status = 503;
  for (let i = 0; i < 30 && status === 503; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = (await client.get('/api/products')).status;
  }
  assert.equal(status, 200, 'serves again once the loop recovers');
});
