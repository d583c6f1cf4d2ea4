/**
 * The fault proxy in front of the shared stack's real MariaDB primary and Redis, driven through
 * its admin API as a drill would: latency slows each query by about the toxic, a blackhole
 * (timeout 0) makes a query on an open connection and a new one time out, reset_peer resets the connection, a disabled proxy refuses
 * connections, /reset heals everything, bandwidth slows a large reply.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { createAdmin } from '../../../services/fault-proxy/app.ts';
import { FaultProxy } from '../../../services/fault-proxy/proxy.ts';
import { createLogger } from '../../../services/shared/logger.ts';
import { readStackFile, readStackSecret, serviceOf } from '../../support/stack.ts';

const stack = readStackFile();
const HOST = '127.0.0.26';
let admin: ReturnType<typeof createAdmin>;
let adminUrl = '';
const proxies = new Map<string, FaultProxy>();

before(async () => {
  const primary = serviceOf(stack, 'mysql-primary');
  const redis = serviceOf(stack, 'redis');
  proxies.set(
    'mysql-primary',
    new FaultProxy(
      'mysql-primary',
      { host: HOST, port: 0 },
      { host: primary.host, port: primary.ports.mysql ?? 0 },
    ),
  );
  proxies.set(
    'redis',
    new FaultProxy(
      'redis',
      { host: HOST, port: 0 },
      { host: redis.host, port: redis.ports.redis ?? 0 },
    ),
  );
  for (const p of proxies.values()) await p.enable();
  admin = createAdmin(
    proxies,
    createLogger({ service: 'fault-proxy', instance: 'test', level: 'silent' }),
  );
  adminUrl = await admin.listen({ host: HOST, port: 0 });
});
after(async () => {
  for (const p of proxies.values()) await p.disable();
  await admin.close();
});

const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${adminUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(5000),
  });
  return {
    status: response.status,
    body: response.status === 204 ? undefined : await response.json(),
  };
};

const db = () =>
  mysql.createConnection({
    host: HOST,
    port: proxies.get('mysql-primary')?.port ?? 0,
    user: stack.mysql.user,
    password: readStackSecret(stack, 'mysql-password'),
    connectTimeout: 5000,
  });

async function timedQuery(sql: string, timeout = 5000): Promise<{ ms: number; rows: unknown }> {
  const conn = await db();
  try {
    const t0 = performance.now();
    const [rows] = await conn.query({ sql, timeout });
    return { ms: performance.now() - t0, rows };
  } finally {
    conn.destroy();
  }
}

test('no toxic: the proxy is transparent; latency adds about its delay to a query', async () => {
  const plain = await timedQuery('SELECT 1 AS one');
  assert.deepEqual(plain.rows, [{ one: 1 }]);
  const added = await api('POST', '/proxies/mysql-primary/toxics', {
    type: 'latency',
    attributes: { latency: 300 },
  });
  assert.equal(added.status, 200);
  const slow = await timedQuery('SELECT 1 AS one');
  assert.ok(slow.ms >= 290, `the query took ${slow.ms} ms with 300 ms of latency`);
  assert.equal(
    (await api('DELETE', '/proxies/mysql-primary/toxics/latency_downstream')).status,
    204,
  );
  assert.equal(
    (await api('DELETE', '/proxies/mysql-primary/toxics/latency_downstream')).status,
    404,
  );
});

test('a blackhole makes the client time out; reset_peer resets; /reset heals', async () => {
  const conn = await db();
  await api('POST', '/proxies/mysql-primary/toxics', {
    type: 'timeout',
    stream: 'upstream',
    attributes: { timeout: 0 },
  });
  // Toxics apply to open connections too (a pool's): this one was open before.
  await assert.rejects(conn.query({ sql: 'SELECT 2 AS two', timeout: 1000 }), /timeout/i);
  conn.destroy();
  await assert.rejects(timedQuery('SELECT 1', 1000), /timeout|Timeout|ETIMEDOUT|connect/i);
  assert.equal((await api('POST', '/reset')).status, 204);
  await api('POST', '/proxies/redis/toxics', { type: 'reset_peer', attributes: { timeout: 100 } });
  const port = proxies.get('redis')?.port ?? 0;
  const reset = await new Promise<string>((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    socket.on('close', () => resolve('closed'));
  });
  assert.equal(reset, 'ECONNRESET');
  await api('POST', '/reset');
  assert.deepEqual((await timedQuery('SELECT 3 AS three')).rows, [{ three: 3 }]);
});

test('disabled: connection refused; enabled again: works; bad requests are 4xx with JSON', async () => {
  assert.equal((await api('POST', '/proxies/mysql-primary', { enabled: false })).status, 200);
  await assert.rejects(timedQuery('SELECT 1'), /ECONNREFUSED/);
  await api('POST', '/proxies/mysql-primary', { enabled: true });
  assert.deepEqual((await timedQuery('SELECT 4 AS four')).rows, [{ four: 4 }]);
  const badToxic = await api('POST', '/proxies/mysql-primary/toxics', { type: 'nope' });
  assert.equal(badToxic.status, 400);
  assert.equal((badToxic.body as { error: { code: string } }).error.code, 'FAULT_ERR_BAD_TOXIC');
  assert.equal((await api('POST', '/proxies/none/toxics', { type: 'latency' })).status, 404);
  const listed = (await api('GET', '/proxies')).body as Record<string, { toxics: unknown[] }>;
  assert.deepEqual(Object.keys(listed).sort(), ['mysql-primary', 'redis']);
});

test('bandwidth slows a large reply to about its rate', async () => {
  await api('POST', '/proxies/mysql-primary/toxics', {
    type: 'bandwidth',
    attributes: { rate: 100 },
  });
  try {
    // ~200 KB of reply at 100 KB/s: about 2 s.
    const big = await timedQuery("SELECT REPEAT('x', 200000) AS x", 10_000);
    assert.ok(big.ms >= 1500, `200 KB at 100 KB/s took ${big.ms} ms`);
  } finally {
    await api('POST', '/reset');
  }
});
