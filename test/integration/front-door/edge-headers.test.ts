/**
 * Items 8–10 of issue 6, against the shared test stack (the product's LB settings): the sticky
 * cookie never rides on a response a shared cache may store (HAProxy's `insert nocache`); TLS 1.2
 * offers AEAD ciphers only (Mozilla "intermediate", so no LUCKY13); X-Request-Id appears once.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { FormData } from 'undici';
import { Client } from '../../support/http.ts';
import { image } from '../../support/images.ts';
import { readStackFile, serviceOf } from '../../support/stack.ts';

function entry() {
  const stack = readStackFile();
  const lb = serviceOf(stack, 'lb');
  const ca = readFileSync(join(lb.dataDir, 'dev-cert.pem'));
  const url = new URL(stack.entry ?? '');
  return { url, ca, client: () => new Client(url.href, { ca }) };
}

const cookiesOf = (h: string | string[] | undefined): string[] => [h ?? []].flat();

test('a response a CDN may store never carries the sticky cookie (insert nocache)', async () => {
  const { client } = entry();
  const bob = client();
  const user = { username: `nocache_${Date.now().toString(36)}`, password: 'no-cache-pass' };
  assert.equal((await bob.post('/api/users', { json: user })).status, 201);
  assert.equal((await bob.post('/api/sessions', { json: user })).status, 200);
  const form = new FormData();
  form.append('file', new Blob([await image('png', 64, 64)]), 'a.png');
  const upload = await bob.post<{ url: string }>('/api/media', { form });
  assert.equal(upload.status, 201);
  // The app's own /files route through the LB (with CDN=on the upload's URL names the edge, whose
  // path is the same).
  for (const path of [new URL(upload.body.url, 'https://lb').pathname, '/static/app.js']) {
    const stranger = await client().get(path);
    assert.equal(stranger.status, 200, path);
    const sticky = cookiesOf(stranger.headers['set-cookie']).filter((c) => c.startsWith('lb_srv'));
    const cacheControl = String(stranger.headers['cache-control'] ?? '');
    assert.equal(sticky.length, 1, `${path}: a client without a cookie gets one`);
    assert.match(cacheControl, /\bprivate\b/, `${path}: ${cacheControl}`);
    assert.doesNotMatch(cacheControl, /\bpublic\b|s-maxage/, `${path}: ${cacheControl}`);
    const regular = await client().get(path, {
      headers: { cookie: sticky[0]?.split(';')[0] ?? '' },
    });
    assert.match(String(regular.headers['cache-control']), /\bpublic\b/, 'without a new cookie');
  }
});

test('X-Request-Id appears exactly once, and is the LB’s', async () => {
  const { client } = entry();
  for (const path of ['/', '/api/feed?limit=1', '/health/ready', '/no/such/page']) {
    const r = await client().get(path);
    const ids = [r.headers['x-request-id'] ?? []].flat();
    assert.equal(ids.length, 1, `${path}: ${JSON.stringify(ids)}`);
    assert.match(ids[0] ?? '', /^[0-9a-f]{8}-[0-9a-z]+$/, 'the LB’s id');
  }
});

/** Whether a TLS 1.2 handshake with only `cipher` succeeds. */
function handshake(url: URL, ca: Buffer, cipher: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({
      host: url.hostname,
      port: Number(url.port),
      ca,
      maxVersion: 'TLSv1.2',
      ciphers: cipher,
    });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('TLS 1.2 offers AEAD ciphers only (Mozilla intermediate); testssl.sh agrees', async () => {
  const { url, ca } = entry();
  const cbc = ['ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384'];
  for (const cipher of cbc) assert.equal(await handshake(url, ca, cipher), false, cipher);
  for (const cipher of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305'])
    assert.equal(await handshake(url, ca, cipher), true, cipher);
  const out = execFileSync(
    'testssl',
    [
      '--quiet',
      '--color',
      '0',
      '--warnings',
      'off',
      '--lucky13',
      '--ip',
      '127.0.0.1',
      `${url.host}`,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.match(out, /LUCKY13[^\n]*not vulnerable/i, out);
});
