/**
 * The CDN edge against the real S3 store (the shared stack's), at its product settings: headers,
 * conditionals, ranges, coalescing of concurrent misses, purges by key and prefix, and refusals
 * (traversal, keys outside the public prefixes, objects the origin marks private) sent on raw
 * sockets where a client would normalise the path.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { freshKey, putObject, startTestCdn, storeClient } from '../../support/cdn.ts';
import { headerOf } from '../../support/http.ts';
import { readStackFile } from '../../support/stack.ts';

const stack = readStackFile();

async function setup(t: import('node:test').TestContext) {
  const cdn = await startTestCdn(t, stack);
  const s3 = storeClient(stack);
  t.after(() => s3.destroy());
  return { cdn, s3 };
}

/** Sends `GET <target>` as written and returns the status and body. */
function rawGet(
  url: string,
  ca: Buffer,
  target: string,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ port: Number(port), host: hostname, ca });
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (d) => {
      data += d.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(`GET ${target} HTTP/1.1\r\nHost: cdn\r\nConnection: close\r\n\r\n`);
  });
}

test('MISS then HIT with Age, validators, Cache-Control; 304 on If-None-Match and If-Modified-Since', async (t) => {
  const { cdn, s3 } = await setup(t);
  const key = freshKey();
  const bytes = randomBytes(5000);
  await putObject(s3, stack, key, bytes);
  const client = cdn.client();
  const first = await client.get(`/files/${key}`);
  assert.equal(first.status, 200);
  assert.ok(first.raw.equals(bytes));
  assert.equal(headerOf(first, 'x-cache'), 'MISS');
  const etag = headerOf(first, 'etag') ?? '';
  const lastModified = headerOf(first, 'last-modified') ?? '';
  assert.match(etag, /^"[0-9a-f]+"$/);
  assert.match(headerOf(first, 'cache-control') ?? '', /^public, max-age=\d+$/);
  // Public objects: a page on another origin may read them (module scripts are CORS fetches).
  assert.equal(headerOf(first, 'access-control-allow-origin'), '*');
  await new Promise((r) => setTimeout(r, 1100));
  const second = await client.get(`/files/${key}`);
  assert.equal(headerOf(second, 'x-cache'), 'HIT');
  assert.ok(Number(headerOf(second, 'age')) >= 1, 'Age counts from the origin fetch');
  assert.ok(second.raw.equals(bytes));
  const inm = await client.get(`/files/${key}`, { headers: { 'if-none-match': etag } });
  assert.equal(inm.status, 304);
  assert.equal(inm.raw.length, 0);
  assert.equal(headerOf(inm, 'etag'), etag);
  const ims = await client.get(`/files/${key}`, { headers: { 'if-modified-since': lastModified } });
  assert.equal(ims.status, 304);
  const changed = await client.get(`/files/${key}`, { headers: { 'if-none-match': '"other"' } });
  assert.equal(changed.status, 200);
  const head = await client.send('HEAD', `/files/${key}`);
  assert.equal(head.status, 200);
  assert.equal(headerOf(head, 'content-length'), '5000');
  assert.equal(head.raw.length, 0);
});

test('Range: 206 for one range, multipart for several, 416 beyond the end, If-Range', async (t) => {
  const { cdn, s3 } = await setup(t);
  const key = freshKey();
  const bytes = randomBytes(1000);
  await putObject(s3, stack, key, bytes);
  const client = cdn.client();
  const one = await client.get(`/files/${key}`, { headers: { range: 'bytes=100-199' } });
  assert.equal(one.status, 206);
  assert.equal(headerOf(one, 'content-range'), 'bytes 100-199/1000');
  assert.ok(one.raw.equals(bytes.subarray(100, 200)));
  const suffix = await client.get(`/files/${key}`, { headers: { range: 'bytes=-10' } });
  assert.ok(suffix.raw.equals(bytes.subarray(990)));
  const multi = await client.get(`/files/${key}`, { headers: { range: 'bytes=0-9,20-29' } });
  assert.equal(multi.status, 206);
  const boundary = /boundary=(\w+)/.exec(headerOf(multi, 'content-type') ?? '')?.[1] ?? '';
  assert.ok(boundary !== '');
  const text = multi.raw.toString('latin1');
  assert.equal(text.split(`--${boundary}`).length, 4, 'two parts and the closing delimiter');
  assert.match(text, /content-range: bytes 20-29\/1000/);
  const beyond = await client.get(`/files/${key}`, { headers: { range: 'bytes=5000-' } });
  assert.equal(beyond.status, 416);
  assert.equal(headerOf(beyond, 'content-range'), 'bytes */1000');
  assert.equal(
    (beyond.body as { error: { code: string } }).error.code,
    'CDN_ERR_RANGE_NOT_SATISFIABLE',
  );
  const etag = headerOf(one, 'etag') ?? '';
  const current = await client.get(`/files/${key}`, {
    headers: { range: 'bytes=0-0', 'if-range': etag },
  });
  assert.equal(current.status, 206);
  const stale = await client.get(`/files/${key}`, {
    headers: { range: 'bytes=0-0', 'if-range': '"old"' },
  });
  assert.equal(stale.status, 200, 'a changed object is sent whole');
  assert.equal(stale.raw.length, 1000);
});

test('concurrent misses for one object cost one origin fetch', async (t) => {
  const { cdn, s3 } = await setup(t);
  const key = freshKey();
  const bytes = randomBytes(2_000_000);
  await putObject(s3, stack, key, bytes);
  const before = await cdn.originFetches();
  const replies = await Promise.all(
    Array.from({ length: 25 }, () => cdn.client().get(`/files/${key}`)),
  );
  assert.ok(replies.every((r) => r.status === 200 && r.raw.equals(bytes)));
  assert.equal((await cdn.originFetches()) - before, 1, 'one fetch for 25 concurrent misses');
  const misses = replies.filter((r) => headerOf(r, 'x-cache') === 'MISS').length;
  // Requests that arrive after the fetch ended are HITs; those that waited on it are MISSes.
  assert.ok(misses >= 2, `${misses} requests waited on the one fetch`);
  assert.ok(replies.every((r) => ['MISS', 'HIT'].includes(headerOf(r, 'x-cache') ?? '')));
});

test('purge by key and by prefix: the next request goes to the origin and sees the change', async (t) => {
  const { cdn, s3 } = await setup(t);
  const key = freshKey();
  const folder = key.slice(0, key.lastIndexOf('/') + 1);
  const thumb = `${folder}thumbnail-128.webp`;
  await putObject(s3, stack, key, Buffer.from('v1'));
  await putObject(s3, stack, thumb, Buffer.from('t1'));
  const client = cdn.client();
  await client.get(`/files/${key}`);
  await client.get(`/files/${thumb}`);
  await putObject(s3, stack, key, Buffer.from('v2'));
  await putObject(s3, stack, thumb, Buffer.from('t2'));
  const cached = await client.get(`/files/${key}`);
  assert.equal(cached.raw.toString(), 'v1', 'the edge keeps its copy until purged');
  assert.equal(headerOf(cached, 'x-cache'), 'HIT');

  assert.equal((await cdn.purge({ keys: [key] }, 'wrong-token-wrong-token')).status, 401);
  assert.equal((await cdn.purge({ keys: ['../etc/passwd'] })).status, 400);
  assert.equal((await cdn.purge({ prefixes: ['private/'] })).status, 400);
  assert.deepEqual(await cdn.purge({ keys: [key] }), { status: 200, body: { purged: 1 } });
  const fresh = await client.get(`/files/${key}`);
  assert.equal(fresh.raw.toString(), 'v2');
  assert.equal(headerOf(fresh, 'x-cache'), 'MISS');
  assert.equal(
    (await client.get(`/files/${thumb}`)).raw.toString(),
    't1',
    'untouched by a key purge',
  );

  assert.deepEqual(await cdn.purge({ prefixes: [folder] }), { status: 200, body: { purged: 2 } });
  const both = [await client.get(`/files/${key}`), await client.get(`/files/${thumb}`)];
  assert.deepEqual(
    both.map((r) => [r.raw.toString(), headerOf(r, 'x-cache')]),
    [
      ['v2', 'MISS'],
      ['t2', 'MISS'],
    ],
  );
});

test('traversal is 400, keys outside the public prefixes and private objects are 404, all JSON', async (t) => {
  const { cdn, s3 } = await setup(t);
  const secretKey = `private/${freshKey().split('/')[1]}/secret.png`;
  await putObject(s3, stack, secretKey, Buffer.from('secret'));
  const privateKey = freshKey();
  await putObject(s3, stack, privateKey, Buffer.from('mine'), 'private, max-age=60');
  const before = await cdn.originFetches();
  const refused: [string, number, string][] = [
    ['/files/../../etc/passwd', 400, 'CDN_ERR_BAD_PATH'],
    ['/files/media/..%2f..%2fprivate%2fsecret.png', 400, 'CDN_ERR_BAD_PATH'],
    [`/files/${secretKey.replace('private/', 'media/../private/')}`, 400, 'CDN_ERR_BAD_PATH'],
    ['/files/media\\..\\..\\etc\\passwd', 400, 'CDN_ERR_BAD_PATH'],
    [`/files/${secretKey}`, 404, 'CDN_ERR_NOT_FOUND'],
    ['/files/exports/users.csv', 404, 'CDN_ERR_NOT_FOUND'],
    ['/etc/passwd', 404, 'CDN_ERR_NOT_FOUND'],
  ];
  for (const [target, status, code] of refused) {
    const r = await rawGet(cdn.url, cdn.ca, target);
    assert.equal(r.status, status, target);
    assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, code, target);
    assert.doesNotMatch(r.body, /secret/);
  }
  assert.equal(await cdn.originFetches(), before, 'refused before any origin fetch');
  for (let i = 0; i < 2; i++) {
    const r = await cdn.client().get(`/files/${privateKey}`);
    assert.equal(r.status, 404, 'the origin marks it private: never served');
    assert.doesNotMatch(r.raw.toString(), /mine/);
  }
  assert.equal((await cdn.originFetches()) - before, 2, 'a private object is never cached');
  const post = await cdn.client().post(`/files/${privateKey}`, { json: {} });
  assert.equal(post.status, 405);
});
