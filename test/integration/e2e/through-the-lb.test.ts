/**
 * The whole stack as a user meets it: HTTPS through the LB of the shared test stack (stage 4 with
 * read-API and write-API pools), every step of the application contract.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FormData } from 'undici';
import { Client, headerOf } from '../../support/http.ts';
import { image } from '../../support/images.ts';
import { readStackFile, serviceOf } from '../../support/stack.ts';

function entryClient(): { client: () => Client; stack: ReturnType<typeof readStackFile> } {
  const stack = readStackFile();
  if (stack.entry === null) throw new Error('the shared stack has no LB');
  const ca = readFileSync(join(serviceOf(stack, 'lb').dataDir, 'dev-cert.pem'));
  return { stack, client: () => new Client(stack.entry ?? '', { ca }) };
}

test('sign up, log in, fill and check out a cart, post, read, upload — over HTTPS through the LB', async () => {
  const { client } = entryClient();
  const bob = client();
  const username = `bob_${Date.now().toString(36)}`;
  const signup = await bob.post<{ id: number }>('/api/users', {
    json: { username, password: 'books-and-more' },
  });
  assert.equal(signup.status, 201);
  assert.match(headerOf(signup, 'x-served-by') ?? '', /^web-\d$/, 'sign-up goes to the web pool');
  assert.match(
    headerOf(signup, 'x-request-id') ?? '',
    /\S/,
    'the LB request id reaches the app and comes back',
  );

  const login = await bob.post('/api/sessions', { json: { username, password: 'books-and-more' } });
  assert.equal(login.status, 200);
  const setCookie = [login.headers['set-cookie'] ?? []].flat().join('\n');
  assert.match(
    setCookie,
    /sid=[^;]+;[^\n]*HttpOnly[^\n]*Secure[^\n]*SameSite=Lax|sid=[^;]+;[^\n]*Secure/,
    'Secure behind TLS',
  );

  for (const sku of ['BOOK-001', 'BOOK-002', 'BOOK-003']) {
    assert.equal((await bob.post('/api/cart/items', { json: { sku, qty: 1 } })).status, 200);
  }
  const cart = await bob.get<{ count: number }>('/api/cart');
  assert.equal(cart.body.count, 3, 'shared sessions keep every item, whichever server answers');
  const order = await bob.post<{ id: number; count: number }>('/api/orders', {
    headers: { 'idempotency-key': `order-${username}` },
  });
  assert.equal(order.status, 201);
  assert.equal(order.body.count, 3);

  const post = await bob.post<{ id: number }>('/api/posts', {
    json: { body: 'hello from behind the LB' },
  });
  assert.equal(post.status, 201);
  assert.match(
    headerOf(post, 'x-served-by') ?? '',
    /^write-api-\d$/,
    'writes go to the write-API pool',
  );
  const read = await client().get<{ body: string }>(`/api/posts/${post.body.id}`);
  assert.equal(read.status, 200);
  assert.equal(read.body.body, 'hello from behind the LB');
  assert.match(
    headerOf(read, 'x-served-by') ?? '',
    /^read-api-\d$/,
    'reads go to the read-API pool',
  );

  const bytes = await image('jpeg', 320, 240);
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'photo.jpg');
  const upload = await bob.post<{ url: string; thumbnailUrl: string; thumbnail: string }>(
    '/api/media',
    { form },
  );
  assert.equal(upload.status, 201);
  assert.equal(upload.body.thumbnail, 'ready');
  const original = await client().get(upload.body.url);
  assert.ok(original.raw.equals(bytes), 'the upload reads back byte-identical through the LB');
  const thumb = await client().get(upload.body.thumbnailUrl);
  assert.equal(thumb.status, 200);
  assert.equal(headerOf(thumb, 'content-type'), 'image/webp');
});

test('the entry is HTTPS only: HSTS, and plain HTTP redirects with 308', async () => {
  const { stack, client } = entryClient();
  const page = await client().get('/');
  assert.equal(page.status, 200);
  assert.match(headerOf(page, 'strict-transport-security') ?? '', /max-age=\d+/);
  const lb = serviceOf(stack, 'lb');
  const plain = new Client(`http://${lb.host}:${lb.ports.http}`);
  const redirect = await plain.get('/api/feed?limit=1');
  assert.equal(redirect.status, 308);
  assert.match(headerOf(redirect, 'location') ?? '', /^https:\/\/[^/]+\/api\/feed\?limit=1$/);
});
