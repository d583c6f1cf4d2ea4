import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { loggedInClient, startTestWeb } from '../../support/web-app.ts';

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE posts; --",
  '" OR ""="',
  '1; SELECT SLEEP(10)',
  "\\'; SELECT SLEEP(10); -- ",
  "admin'--",
  '%27%20OR%201%3D1',
  "x' UNION SELECT password_hash FROM users --",
];

test('malformed and unexpected bodies get 4xx JSON errors', async (t) => {
  const web = await startTestWeb(t);
  const client = web.client();
  const cases: [string, string, Record<string, string>, string | Buffer, number, string][] = [
    [
      'POST',
      '/api/users',
      { 'content-type': 'application/json' },
      '{"username":',
      400,
      'WEB_ERR_MALFORMED_JSON',
    ],
    [
      'POST',
      '/api/users',
      { 'content-type': 'application/json' },
      '',
      400,
      'WEB_ERR_MALFORMED_JSON',
    ],
    ['POST', '/api/users', { 'content-type': 'application/json' }, '[]', 400, 'WEB_ERR_VALIDATION'],
    [
      'POST',
      '/api/users',
      { 'content-type': 'application/json' },
      '{"username":"abc","password":"password-1","admin":true}',
      400,
      'WEB_ERR_VALIDATION',
    ],
    [
      'POST',
      '/api/users',
      { 'content-type': 'application/json' },
      '{"username":"ab","password":"password-1"}',
      400,
      'WEB_ERR_VALIDATION',
    ],
    [
      'POST',
      '/api/users',
      { 'content-type': 'application/json' },
      '{"username":"abc","password":"short"}',
      400,
      'WEB_ERR_VALIDATION',
    ],
    [
      'POST',
      '/api/users',
      { 'content-type': 'application/json' },
      `{"username":"abc","password":"${'p'.repeat(20_000)}"}`,
      413,
      'WEB_ERR_BODY_TOO_LARGE',
    ],
    [
      'POST',
      '/api/users',
      { 'content-type': 'text/plain' },
      'username=abc',
      415,
      'WEB_ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'POST',
      '/api/users',
      { 'content-type': 'application/json' },
      '{"username":"abc","password":"password-1","__proto__":{"x":1}}',
      400,
      'WEB_ERR_MALFORMED_JSON',
    ],
    ['GET', '/api/posts/abc', {}, '', 400, 'WEB_ERR_VALIDATION'],
    ['GET', '/api/posts/0', {}, '', 400, 'WEB_ERR_VALIDATION'],
    ['GET', '/api/posts/-1', {}, '', 400, 'WEB_ERR_VALIDATION'],
    ['GET', '/api/posts/1%20OR%201=1', {}, '', 400, 'WEB_ERR_VALIDATION'],
    ['GET', '/api/posts/99999999999999999999', {}, '', 400, 'WEB_ERR_VALIDATION'],
    ['GET', '/api/posts/..%2F..%2Fetc%2Fpasswd', {}, '', 400, 'WEB_ERR_VALIDATION'],
    ['GET', '/api/feed?limit=1000', {}, '', 400, 'WEB_ERR_VALIDATION'],
    ['GET', '/api/feed?before=1%27%20OR%201=1', {}, '', 400, 'WEB_ERR_VALIDATION'],
    ['GET', '/api/feed?sort=id', {}, '', 400, 'WEB_ERR_VALIDATION'],
    ['GET', '/files/..%2F..%2F..%2Fetc%2Fpasswd', {}, '', 404, 'WEB_ERR_FILE_NOT_FOUND'],
    ['GET', '/files/media/..%2F..%2Fconfig.ts', {}, '', 404, 'WEB_ERR_FILE_NOT_FOUND'],
    [
      'GET',
      '/files/static/0123456789abcdef/..%2F..%2F..%2Fpackage.json',
      {},
      '',
      404,
      'WEB_ERR_FILE_NOT_FOUND',
    ],
    ['GET', '/static/..%2Fconfig.ts', {}, '', 400, 'WEB_ERR_VALIDATION'],
    ['GET', '/static/index.html', {}, '', 404, 'WEB_ERR_FILE_NOT_FOUND'],
    ['GET', '/api/nothing-here', {}, '', 404, 'WEB_ERR_NOT_FOUND'],
  ];
  for (const [method, path, headers, body, status, code] of cases) {
    const reply = await client.send<{ error: { code: string; message: string } }>(method, path, {
      headers,
      ...(body === '' ? {} : { body }),
    });
    assert.equal(
      reply.status,
      status,
      `${method} ${path} ${String(body).slice(0, 60)}: ${JSON.stringify(reply.body)}`,
    );
    assert.equal(reply.body.error.code, code, `${method} ${path}`);
    assert.equal(typeof reply.body.error.message, 'string');
  }
});

test('SQL injection strings are rejected or stored as plain data, never executed', async (t) => {
  const web = await startTestWeb(t);
  const { client, id } = await loggedInClient(web);
  for (const text of INJECTIONS) {
    const signup = await web
      .client()
      .post('/api/users', { json: { username: text, password: 'password-123' } });
    assert.equal(signup.status, 400, 'usernames are a strict pattern');
    const login = await web
      .client()
      .post('/api/sessions', { json: { username: 'abc', password: `${text}-padding` } });
    assert.equal(login.status, 401);
    const started = performance.now();
    const post = await client.post<{ id: number; body: string }>('/api/posts', {
      json: { body: text },
    });
    assert.equal(post.status, 201);
    assert.ok(performance.now() - started < 5000, 'no SLEEP ran');
    const read = await web.client().get<{ body: string }>(`/api/posts/${post.body.id}`);
    assert.equal(read.body.body, text, 'stored exactly as sent');
  }
  const sql = await web.sql();
  const [posts] = await sql.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM posts WHERE user_id = ?',
    [id],
  );
  assert.equal(Number(posts[0]?.n), INJECTIONS.length);
  const [users] = await sql.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM users');
  assert.equal(Number(users[0]?.n), 1, 'no account was created by any injection');
});

test('malformed cookies never cause a 5xx', async (t) => {
  const web = await startTestWeb(t);
  const cookies = [
    'sid=',
    'sid',
    '=;=;=',
    'sid=%',
    'sid=%E0%A4%A',
    `sid=${'A'.repeat(43)}`,
    `sid=${'A'.repeat(4000)}`,
    'sid="unterminated',
    'sid=a; sid=b; sid=c',
    'sid=\u00ff\u00fe',
    `sid=${'x;'.repeat(500)}`,
    'ryw=1; sid=../../etc/passwd',
    '__proto__=x; constructor=y; sid=z',
  ];
  for (const cookie of cookies) {
    for (const path of ['/api/me', '/api/cart', '/api/feed', '/']) {
      const reply = await web.client().get(path, { headers: { cookie } });
      assert.ok(
        reply.status < 500,
        `${path} with cookie ${JSON.stringify(cookie.slice(0, 40))}: ${reply.status}`,
      );
    }
  }
});

test('raw malformed requests are answered 400 and nothing crashes', async (t) => {
  const web = await startTestWeb(t);
  const { port } = new URL(web.url);
  const raw = (payload: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let data = '';
      socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
      });
      socket.on('end', () => resolve(data));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      socket.end(payload);
    });
  const payloads = [
    'GET /api/feed HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    'POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'GET /api/feed HTTP/1.1\r\nHost: x\r\nX-Bad: a\r\n folded\r\n\r\n',
    'GET /api/feed\0 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GARBAGE\r\n\r\n',
  ];
  for (const payload of payloads) {
    const answer = await raw(payload);
    assert.match(answer, /^HTTP\/1\.1 400 /, JSON.stringify(payload));
  }
  assert.equal((await web.client().get('/health/live')).status, 200, 'still serving');
});
