/**
 * The web app and the edge together. Through the shared stack's LB at its default stage (CDN=on):
 * uploads, thumbnails and the page's static assets are handed out as CDN URLs and served by the
 * stack's edge. With a test app wired to its own edge: deleting an upload purges the edge, so a
 * copy it held is gone at once (before the change it would answer from cache for a day).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FormData } from 'undici';
import { startTestCdn } from '../../support/cdn.ts';
import { Client, headerOf } from '../../support/http.ts';
import { image } from '../../support/images.ts';
import { readStackFile, serviceOf } from '../../support/stack.ts';
import { startTestWeb } from '../../support/web-app.ts';

const stack = readStackFile();

/** The stack's one development certificate: the LB's, naming the edge too. */
const stackCa = () => readFileSync(join(serviceOf(stack, 'lb').dataDir, 'dev-cert.pem'));

function entry() {
  const ca = stackCa();
  return () => new Client(stack.entry ?? '', { ca });
}

async function loggedIn(client: Client, prefix: string) {
  const user = { username: `${prefix}_${Date.now().toString(36)}`, password: 'cdn-test-pass' };
  assert.equal((await client.post('/api/users', { json: user })).status, 201);
  assert.equal((await client.post('/api/sessions', { json: user })).status, 200);
}

interface Media {
  id: number;
  url: string;
  thumbnailUrl: string;
  thumbnails: Record<string, string>;
}

test('through the LB at the default stage: media and static assets are HTTPS CDN URLs the edge serves', async () => {
  assert.ok(stack.flags.CDN === 'on', 'the default stage runs the CDN');
  const cdn = serviceOf(stack, 'cdn');
  const edge = `https://${cdn.host}:${cdn.ports.http}/files/`;
  const client = entry()();
  await loggedIn(client, 'cdnlb');
  const bytes = await image('png', 200, 150);
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'a.png');
  const upload = await client.post<Media>('/api/media', { form });
  assert.equal(upload.status, 201);
  for (const url of [
    upload.body.url,
    upload.body.thumbnailUrl,
    ...Object.values(upload.body.thumbnails),
  ])
    assert.ok(url.startsWith(edge), url);
  // HTTPS, verified against the stack's certificate: the page is HTTPS, so its objects must be.
  const viaEdge = new Client(edge, { ca: stackCa() });
  const original = await viaEdge.get(upload.body.url);
  assert.ok(original.raw.equals(bytes));
  assert.equal(headerOf(original, 'x-served-by'), 'cdn');
  assert.equal(headerOf(await viaEdge.get(upload.body.url), 'x-cache'), 'HIT');
  const thumb = await viaEdge.get(upload.body.thumbnailUrl);
  assert.equal(thumb.status, 200);
  assert.equal(headerOf(thumb, 'content-type'), 'image/webp');
  const read = await client.get<Media>(`/api/media/${upload.body.id}`);
  assert.equal(read.body.url, upload.body.url);
  const page = String((await client.get('/')).body);
  const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
  const linked = assets.filter((a) => a.startsWith(edge));
  assert.ok(linked.length >= 2, `the page links its assets to the edge: ${assets.join(' ')}`);
  for (const asset of linked) assert.equal((await viaEdge.get(asset)).status, 200, asset);
});

test('deleting an upload purges the edge: its copies are gone at once', async (t) => {
  const cdn = await startTestCdn(t, stack);
  const web = await startTestWeb(t, {
    STAGE: '4',
    CDN_URL: cdn.url,
    CDN_ADMIN_URL: cdn.adminUrl,
  });
  const client = web.client();
  await loggedIn(client, 'cdnpurge');
  const form = new FormData();
  form.append('file', new Blob([await image('png', 120, 90)]), 'b.png');
  const upload = await client.post<Media>('/api/media', { form });
  assert.equal(upload.status, 201);
  assert.ok(upload.body.url.startsWith(`${cdn.url}/files/media/`), upload.body.url);
  const urls = [upload.body.url, ...Object.values(upload.body.thumbnails)];
  const edge = cdn.client();
  for (const url of urls) {
    await edge.get(url);
    assert.equal(headerOf(await edge.get(url), 'x-cache'), 'HIT', url);
  }
  const stranger = web.client();
  await loggedIn(stranger, 'cdnother');
  assert.equal((await stranger.delete(`/api/media/${upload.body.id}`)).status, 404, 'not theirs');
  assert.equal(headerOf(await edge.get(upload.body.url), 'x-cache'), 'HIT');

  const removed = await client.delete(`/api/media/${upload.body.id}`);
  assert.equal(removed.status, 204);
  assert.equal(headerOf(removed, 'x-cdn-purge'), 'done');
  for (const url of urls) {
    const gone = await edge.get(url);
    assert.equal(gone.status, 404, url);
    assert.equal((gone.body as { error: { code: string } }).error.code, 'CDN_ERR_NOT_FOUND');
  }
  assert.equal(
    (await client.get(`/files/${new URL(upload.body.url).pathname.slice(7)}`)).status,
    404,
  );
  assert.equal((await client.delete(`/api/media/${upload.body.id}`)).status, 404);
});
