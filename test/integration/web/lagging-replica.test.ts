/**
 * Replicas that lag, and database servers that are paused, for real: this file starts its own
 * primary and replica (the shared stack's must not lag or stop under the tests running beside), makes
 * the replica lag with STOP SLAVE SQL_THREAD, and pauses processes with SIGSTOP.
 *
 * - Read-your-writes is causal: the author reads their post for as long as the replica lags (well
 *   past the 5 s the old fixed window gave), from the primary, and from the replica once it has
 *   executed the post's GTID; a forged cookie buys nothing.
 * - Anonymous readers never get a cached page older than a write, even with the replica behind.
 * - A paused replica: reads move to the primary once the server's silence passes the query timeout,
 *   then fast while its breaker is open; back to the replica after it resumes.
 * - A paused primary is an outage (the breaker opens: writes answer 503 at once, reads go on from
 *   the replica); writes resume by themselves after it resumes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type StartedStack, startStack } from '../../../runner/stack/api.ts';
import { headerOf, type Reply } from '../../support/http.ts';
import {
  baseStackEnv,
  connectMysql,
  query,
  serviceOf,
  waitForReplica,
} from '../../support/stack.ts';
import { loggedInClient, startTestWeb, type TestWeb } from '../../support/web-app.ts';

interface Page {
  posts: { id: number; body: string }[];
}

let stack: StartedStack;
let stackDir: string;

before(async () => {
  stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-lag-'));
  stack = await startStack({
    env: { ...baseStackEnv(), STAGE: '1', DB_REPLICAS: '1' },
    stackDir,
    portBase: 'auto',
    only: (s) => s.kind === 'mysql-primary' || s.kind === 'mysql-replica' || s.kind === 'setup',
  });
});

after(async () => {
  await stack?.stop();
  rmSync(stackDir, { recursive: true, force: true });
});

async function replication(action: 'STOP' | 'START'): Promise<void> {
  const conn = await connectMysql(stack.info, { instance: 'mysql-replica-1' });
  try {
    await query(conn, `${action} SLAVE SQL_THREAD`);
  } finally {
    await conn.end();
  }
}

const signal = (name: string, sig: 'SIGSTOP' | 'SIGCONT') => {
  const pid = serviceOf(stack.info, name).pid;
  assert.ok(pid, `${name} has a pid`);
  process.kill(pid, sig);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const newest = (reply: Reply<Page>) => reply.body.posts[0]?.id;

async function lagging<T>(web: TestWeb, work: () => Promise<T>): Promise<T> {
  await replication('STOP');
  try {
    return await work();
  } finally {
    await replication('START');
    await waitForReplica(web.stack, 'mysql-replica-1');
  }
}

test('the author reads their own post for as long as the replica lags, then from the replica', async (t) => {
  // CACHE=off so each read shows which server answered; the next test runs the default (cache on).
  const web = await startTestWeb(t, { STAGE: '4', CACHE: 'off' }, { mysql: stack.info });
  const { client, id } = await loggedInClient(web);
  await waitForReplica(web.stack, 'mysql-replica-1');
  const created = await lagging(web, async () => {
    const post = await client.post<{ id: number }>('/api/posts', { json: { body: 'mine' } });
    assert.equal(post.status, 201);
    const stranger = await web.client().get(`/api/posts/${post.body.id}`);
    assert.equal(stranger.status, 404, 'the lag is real: the replica does not have the post');
    // At once, while the lagging replica still serves strangers (after DB_REPLICA_MAX_LAG_MS, 5 s,
    // it is skipped and they read from the primary too).
    const forged = client.cookies.get('ryw') ?? '';
    assert.ok(forged.length > 0 && forged.length <= 512, 'a bounded ryw cookie');
    const tampered = `${forged.slice(0, -2)}${forged.endsWith('AA') ? 'BB' : 'AA'}`;
    const withForged = await web
      .client()
      .get(`/api/posts/${post.body.id}`, { headers: { cookie: `ryw=${tampered}` } });
    assert.equal(withForged.status, 404, 'a tampered cookie is ignored');

    for (const wait of [0, 6000]) {
      await sleep(wait);
      const own = await client.get(`/api/posts/${post.body.id}`);
      assert.equal(own.status, 200, `after ${wait} ms of lag`);
      assert.equal(headerOf(own, 'x-db'), 'primary');
      const feed = await client.get<Page>('/api/feed?limit=5');
      assert.equal(newest(feed), post.body.id, `feed after ${wait} ms of lag`);
      const mine = await client.get<Page>(`/api/users/${id}/posts`);
      assert.equal(newest(mine), post.body.id, `user posts after ${wait} ms of lag`);
    }

    return post.body;
  });

  const caughtUp = await client.get(`/api/posts/${created.id}`);
  assert.equal(caughtUp.status, 200);
  assert.equal(headerOf(caughtUp, 'x-db'), 'replica-1', 'the replica serves once it has the GTID');
});

test('with the default cache, no reader gets a page older than a write while the replica lags', async (t) => {
  const web = await startTestWeb(t, { STAGE: '4' }, { mysql: stack.info });
  const { client } = await loggedInClient(web);
  await client.post('/api/posts', { json: { body: 'first' } });
  await waitForReplica(web.stack, 'mysql-replica-1');
  await web.client().get('/api/feed?limit=5');
  await lagging(web, async () => {
    const post = await client.post<{ id: number }>('/api/posts', { json: { body: 'second' } });
    for (const wait of [0, 6000]) {
      await sleep(wait);
      for (const reader of [web.client(), client]) {
        const feed = await reader.get<Page>('/api/feed?limit=5');
        assert.equal(newest(feed), post.body.id, `after ${wait} ms: ${headerOf(feed, 'x-cache')}`);
        assert.notEqual(headerOf(feed, 'x-db'), 'replica-1', 'not from the lagging replica');
      }
    }
  });
});

test('a paused replica: reads move to the primary, then back once it resumes', async (t) => {
  // CACHE=off so every read reaches a database server; the cache's own faults are in cache.test.ts.
  const web = await startTestWeb(t, { STAGE: '4', CACHE: 'off' }, { mysql: stack.info });
  assert.equal(headerOf(await web.client().get('/api/feed'), 'x-db'), 'replica-1');
  signal('mysql-replica-1', 'SIGSTOP');
  try {
    const first = await Promise.all([1, 2, 3].map(() => web.client().get('/api/feed')));
    for (const read of first) {
      assert.equal(read.status, 200);
      assert.equal(headerOf(read, 'x-db'), 'primary');
    }
    const started = performance.now();
    const next = await web.client().get('/api/feed');
    assert.equal(headerOf(next, 'x-db'), 'primary');
    assert.ok(performance.now() - started < 1000, 'the open breaker skips the paused replica');
  } finally {
    signal('mysql-replica-1', 'SIGCONT');
  }
  let servedBy = '';
  for (let i = 0; i < 50 && servedBy !== 'replica-1'; i++) {
    await sleep(200);
    servedBy = headerOf(await web.client().get('/api/feed'), 'x-db') ?? '';
  }
  assert.equal(servedBy, 'replica-1', 'the replica serves again after it resumes');
});

test('a paused primary is an outage: writes 503 fast once detected, reads go on, writes resume', async (t) => {
  const web = await startTestWeb(t, { STAGE: '4' }, { mysql: stack.info });
  const { client } = await loggedInClient(web);
  await waitForReplica(web.stack, 'mysql-replica-1');
  signal('mysql-primary', 'SIGSTOP');
  try {
    const first = await Promise.all(
      [1, 2, 3].map(() =>
        client.post<{ error: { code: string } }>('/api/posts', { json: { body: 'x' } }),
      ),
    );
    for (const reply of first) {
      assert.equal(reply.status, 503);
      assert.equal(reply.body.error.code, 'WEB_ERR_DB_UNAVAILABLE');
      assert.equal(headerOf(reply, 'retry-after'), '1');
    }
    const started = performance.now();
    const fast = await client.post('/api/posts', { json: { body: 'y' } });
    assert.equal(fast.status, 503);
    assert.ok(performance.now() - started < 1000, 'the open breaker answers at once');
    const read = await web.client().get('/api/feed?limit=3');
    assert.equal(read.status, 200, 'reads go on from the replica');
  } finally {
    signal('mysql-primary', 'SIGCONT');
  }
  let status = 0;
  for (let i = 0; i < 50 && status !== 201; i++) {
    await sleep(200);
    status = (await client.post('/api/posts', { json: { body: 'back' } })).status;
  }
  assert.equal(status, 201, 'writes resume by themselves');
});
