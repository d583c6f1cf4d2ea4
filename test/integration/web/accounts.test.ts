import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { headerOf } from '../../support/http.ts';
import { loggedInClient, startTestWeb } from '../../support/web-app.ts';

for (const store of ['memory', 'redis'] as const) {
  describe(`accounts and sessions (SESSION_STORE=${store})`, () => {
    const env = { SESSION_STORE: store };

    test('sign-up, duplicate, login, me, logout', async (t) => {
      const web = await startTestWeb(t, env);
      const bob = web.client();
      const signup = await bob.post<{ id: number; username: string }>('/api/users', {
        json: { username: 'Bob', password: 'books-books' },
      });
      assert.equal(signup.status, 201);
      assert.equal(signup.body.username, 'Bob');
      assert.equal(headerOf(signup, 'x-served-by'), web.config.SERVER_ID);
      assert.equal(headerOf(signup, 'x-db'), 'primary');
      assert.equal(
        (await bob.post('/api/users', { json: { username: 'bob', password: 'other-pass' } }))
          .status,
        409,
        'usernames are case-insensitive',
      );

      assert.equal((await bob.get('/api/me')).status, 401);
      const login = await bob.post('/api/sessions', {
        json: { username: 'Bob', password: 'books-books' },
      });
      assert.equal(login.status, 200);
      const cookie = headerOf(login, 'set-cookie') ?? '';
      assert.match(cookie, /^sid=[A-Za-z0-9_-]{43};/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.doesNotMatch(
        cookie,
        /Secure/,
        'plain HTTP from an untrusted peer is not marked Secure',
      );

      const me = await bob.get<{
        id: number;
        username: string;
        server: string;
        sessionAgeSeconds: number;
      }>('/api/me');
      assert.equal(me.status, 200);
      assert.deepEqual(
        [me.body.id, me.body.username, me.body.server],
        [signup.body.id, 'Bob', web.config.SERVER_ID],
      );
      assert.ok(me.body.sessionAgeSeconds >= 0 && me.body.sessionAgeSeconds < 60);

      const oldSid = bob.cookies.get('sid');
      assert.equal((await bob.delete('/api/sessions')).status, 204);
      assert.equal(bob.cookies.has('sid'), false, 'the cookie is cleared');
      const replay = await web.client().get('/api/me', { headers: { cookie: `sid=${oldSid}` } });
      assert.equal(replay.status, 401, 'the session is gone from the store, not just the browser');
    });

    test('every login gets a new session id; the previous one stops working', async (t) => {
      const web = await startTestWeb(t, env);
      const { client, username } = await loggedInClient(web);
      const first = client.cookies.get('sid');
      await client.post('/api/sessions', { json: { username, password: 'password-123' } });
      const second = client.cookies.get('sid');
      assert.ok(first && second && first !== second);
      assert.equal(
        (await web.client().get('/api/me', { headers: { cookie: `sid=${first}` } })).status,
        401,
      );
      assert.equal((await client.get('/api/me')).status, 200);
    });

    test('wrong password and unknown user get the same answer', async (t) => {
      const web = await startTestWeb(t, env);
      const { username } = await loggedInClient(web);
      const wrong = await web
        .client()
        .post('/api/sessions', { json: { username, password: 'not-the-password' } });
      const unknown = await web
        .client()
        .post('/api/sessions', { json: { username: 'nobody_here', password: 'not-the-password' } });
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong.body, unknown.body);
      assert.equal(headerOf(wrong, 'set-cookie'), undefined);
    });
  });
}

test('behind a trusted proxy speaking TLS the cookie is Secure', async (t) => {
  const web = await startTestWeb(t, { TRUST_PROXY: '127.0.0.1' });
  const client = web.client();
  await client.post('/api/users', { json: { username: 'tls_user', password: 'password-123' } });
  const login = await client.post('/api/sessions', {
    json: { username: 'tls_user', password: 'password-123' },
    headers: { 'x-forwarded-proto': 'https' },
  });
  assert.match(headerOf(login, 'set-cookie') ?? '', /Secure/);
});

test('an untrusted client cannot claim TLS', async (t) => {
  const web = await startTestWeb(t);
  const client = web.client();
  await client.post('/api/users', { json: { username: 'plain_user', password: 'password-123' } });
  const login = await client.post('/api/sessions', {
    json: { username: 'plain_user', password: 'password-123' },
    headers: { 'x-forwarded-proto': 'https' },
  });
  assert.doesNotMatch(headerOf(login, 'set-cookie') ?? '', /Secure/);
});
