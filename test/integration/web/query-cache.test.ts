/**
 * DB_QUERY_CACHE (issue 12): off by default on every server of the shared stack; with it on, a
 * repeated read is answered from the replica's query cache, a write to posts drops the cached
 * results (the next read is a miss and sees the change: the cache never serves stale rows), the
 * replica keeps the setting across a restart, and a web server exposes the counters.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { restartService } from '../../../runner/stack/control.ts';
import { QUERY_CACHE_BYTES } from '../../../services/shared/topology/mariadb-options.ts';
import { Client, headerOf } from '../../support/http.ts';
import { startOwnStack } from '../../support/own-stack.ts';
import {
  connectMysql,
  query,
  readStackFile,
  type StackFile,
  serviceOf,
  servicesOfKind,
} from '../../support/stack.ts';

interface Qcache {
  readonly on: boolean;
  readonly sizeBytes: number;
  readonly hits: number;
  readonly inCache: number;
}

async function status(stack: StackFile, instance: string): Promise<Qcache> {
  const conn = await connectMysql(stack, { instance });
  try {
    const rows = await query(
      conn,
      "SELECT VARIABLE_NAME AS n, VARIABLE_VALUE AS v FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('QCACHE_HITS', 'QCACHE_QUERIES_IN_CACHE')",
    );
    const [type] = await query(
      conn,
      'SELECT @@GLOBAL.query_cache_type AS t, @@GLOBAL.query_cache_size AS size',
    );
    const value = (name: string) => Number(rows.find((r) => r.n === name)?.v ?? Number.NaN);
    return {
      on: type?.t === 'ON',
      sizeBytes: Number(type?.size),
      hits: value('QCACHE_HITS'),
      inCache: value('QCACHE_QUERIES_IN_CACHE'),
    };
  } finally {
    await conn.end();
  }
}

test('the default: no MariaDB server of the shared stack runs the query cache', async () => {
  const stack = readStackFile();
  for (const s of [
    ...servicesOfKind(stack, 'mysql-primary'),
    ...servicesOfKind(stack, 'mysql-replica'),
  ])
    assert.equal((await status(stack, s.name)).on, false, `${s.name} has query_cache_type OFF`);
});

test('DB_QUERY_CACHE=on: hits for repeated reads, a write invalidates, kept after a restart', async (t) => {
  // The flag under test is off by default; one replica so every read meets the same cache, no
  // memcached so repeated reads reach the database, no API pools to keep the stack small.
  const own = await startOwnStack(t, {
    STAGE: '4',
    DB_QUERY_CACHE: 'on',
    CACHE: 'off',
    DB_REPLICAS: '1',
    WEB_REPLICAS: '1',
    READ_API_REPLICAS: '0',
    WRITE_API_REPLICAS: '0',
  });
  const web = serviceOf(own.info, 'web-1');
  const direct = new Client(`http://${web.host}:${String(web.ports.http)}`);
  const writer = own.client();
  const user = { username: `qc_${Date.now()}`, password: 'qc-password-1' };
  assert.equal((await writer.post('/api/users', { json: user })).status, 201);
  assert.equal((await writer.post('/api/sessions', { json: user })).status, 200);
  const first = await writer.post<{ id: number }>('/api/posts', { json: { body: 'cached once' } });
  assert.equal(first.status, 201);
  const id = first.body.id;

  const read = async () => {
    const r = await direct.get<{ body: string }>(`/api/posts/${id}`);
    assert.equal(r.status, 200);
    assert.equal(headerOf(r, 'x-db'), 'replica-1', 'an anonymous read is served by the replica');
    return r.body.body;
  };
  await read(); // a miss that fills the cache
  const before = await status(own.info, 'mysql-replica-1');
  assert.equal(before.on, true, 'the replica runs the query cache');
  assert.equal(before.sizeBytes, QUERY_CACHE_BYTES, 'with its size');
  assert.equal(await read(), 'cached once');
  const hit = await status(own.info, 'mysql-replica-1');
  assert.ok(hit.hits > before.hits, 'the repeated read was a query cache hit');

  // Any write to posts (another post) reaches the replica and drops every cached posts result.
  const second = await writer.post('/api/posts', { json: { body: 'invalidates the table' } });
  assert.equal(second.status, 201);
  let after = await status(own.info, 'mysql-replica-1');
  for (let i = 0; i < 50 && after.inCache >= hit.inCache; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await status(own.info, 'mysql-replica-1');
  }
  assert.ok(after.inCache < hit.inCache, 'the write invalidated the cached posts results');
  await read();
  const miss = await status(own.info, 'mysql-replica-1');
  assert.equal(miss.hits, after.hits, 'the next read was a miss, not a stale hit');
  const feed = await direct.get<{ posts: { body: string }[] }>('/api/feed');
  assert.equal(feed.body.posts[0]?.body, 'invalidates the table', 'the feed sees the new post');

  const metrics = await direct.get<string>('/metrics');
  const line = String(metrics.body)
    .split('\n')
    .find((l) => l.startsWith('mariadb_qcache{server="replica-1",counter="hits"}'));
  assert.ok(line !== undefined && Number(line.split(' ')[1]) > 0, `metrics: ${String(line)}`);

  // The setting is on the server's command line: a restarted replica runs the cache again.
  await restartService(join(own.info.stackDir, 'stack.json'), 'mysql-replica-1');
  let restarted: Qcache | undefined;
  for (let i = 0; i < 100 && restarted === undefined; i++) {
    restarted = await status(own.info, 'mysql-replica-1').catch(() => undefined);
    if (restarted === undefined) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(restarted?.on, true, 'query_cache_type is ON after the restart');
  assert.equal(restarted?.sizeBytes, QUERY_CACHE_BYTES, 'and keeps its size');
});
