/**
 * A web server starts while the object store swallows every request (a fault proxy in front of
 * the shared stack's real S3 with Toxiproxy's `timeout` toxic: a hung store, as when it is paused
 * or behind a dead link). Before, the start copied the static assets to the store inside a plugin
 * and waited for it: with the store's default 10 s timeout that missed fastify's 10 s plugin
 * timeout, so the server could not start at all (a restarted server on an overloaded box failed
 * the same way). Now it starts at once, serves the page with its own /static/ links, publishes in
 * the background and, once the store answers again, links the published copies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaultProxy } from '../../../services/fault-proxy/proxy.ts';
import { readStackFile } from '../../support/stack.ts';
import { startTestWeb } from '../../support/web-app.ts';

const stack = readStackFile();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const linksOf = (page: string) =>
  [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');

test('a hung object store neither blocks the start nor keeps the assets local once it answers', async (t) => {
  assert.ok(stack.s3, 'the shared stack runs an object store');
  const s3 = new URL(stack.s3.endpoint);
  const proxy = new FaultProxy(
    's3',
    { host: '127.0.0.1', port: 0 },
    { host: s3.hostname, port: Number(s3.port) },
  );
  await proxy.enable();
  t.after(() => proxy.disable());
  proxy.addToxic({
    name: 'timeout_upstream',
    type: 'timeout',
    stream: 'upstream',
    toxicity: 1,
    attributes: { timeout: 0 },
  });

  const started = performance.now();
  // STORAGE=s3 at stage 1 (CDN off, so published assets are this app's /files/static/ links) and
  // the store reached through the proxy: the fault under test. S3_TIMEOUT_MS stays the default.
  const web = await startTestWeb(t, {
    STORAGE: 's3',
    S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
  });
  const startMs = performance.now() - started;
  assert.ok(startMs < 8000, `started in ${Math.round(startMs)} ms with the store hung`);

  const client = web.client();
  const local = linksOf(String((await client.get('/')).body));
  assert.ok(local.length >= 2, local.join(' '));
  for (const link of local) {
    assert.match(link, /^\/static\//, 'served locally while the store is hung');
    assert.equal((await client.get(link)).status, 200, link);
  }

  proxy.clearToxics();
  proxy.dropConnections();
  // The attempt under way ends at the store's timeout (10 s); the retry follows 1 s later.
  let published: string[] = [];
  for (let i = 0; i < 60 && !published.some((l) => l.startsWith('/files/static/')); i++) {
    await sleep(500);
    published = linksOf(String((await client.get('/')).body));
  }
  const versioned = published.filter((l) => l.startsWith('/files/static/'));
  assert.ok(versioned.length >= 2, `published links: ${published.join(' ')}`);
  for (const link of versioned) assert.equal((await client.get(link)).status, 200, link);
});
