/**
 * Degrading, not collapsing, through the real LB with real backend processes, for both engines:
 * the panic threshold, the fallback pool, early answers to a body still being sent, and timing
 * the backend from the end of the request body.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { startBackend, startBackends } from './support/backends.ts';
import { client, eventually, runMany, send, servedBy } from './support/client.ts';
import { baseEnv, ENGINES, startLb } from './support/lb.ts';

/** Sends a POST of `total` bytes in `chunks` pieces `gapMs` apart on a raw socket; the answer. */
function slowPost(
  host: string,
  port: number,
  path: string,
  total: number,
  chunks: number,
  gapMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let answer = '';
    socket.on('data', (c: Buffer) => {
      answer += c.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${total}\r\nConnection: close\r\n\r\n`,
    );
    const piece = Buffer.alloc(Math.ceil(total / chunks), 0x61);
    let sent = 0;
    const next = () => {
      if (sent >= total || socket.destroyed) return;
      const n = Math.min(piece.length, total - sent);
      socket.write(piece.subarray(0, n));
      sent += n;
      setTimeout(next, gapMs);
    };
    next();
  });
}

for (const [index, engine] of ENGINES.entries()) {
  const net = 180 + index * 10;
  describe(`degrading, not collapsing (${engine})`, () => {
    test('most of a pool failing its checks at once: panic, every answering backend still serves', async (t) => {
      const backends = await startBackends(t, 3, net + 1);
      const dead = await startBackend(t, `127.0.0.${net + 4}`, 'dead');
      await dead.kill();
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        // A readiness path every backend answers 503: a shared dependency down for all of them.
        LB_HEALTH_PATH: '/status/503',
        LB_POOLS: `web=${[...backends, dead].map((b) => b.address()).join(',')}`,
      });
      const pool = lb.registry.pool('web');
      assert.ok(pool);
      assert.equal(pool.upCount(), 0, 'no backend passes its check');
      assert.equal(lb.registry.routing(pool), 'panic');
      const agent = client(4);
      t.after(() => agent.close());
      const replies = await runMany(60, 4, () => send(agent, `${origin}/`));
      assert.deepEqual([...new Set(replies.map((r) => r.status))], [200], 'nothing refused');
      assert.deepEqual(
        [...new Set(replies.map(servedBy))].sort(),
        ['b1', 'b2', 'b3'],
        'spread over every backend that answers; never the one that refuses connections',
      );
      assert.equal(pool?.counters.panicRequests, 60);
      assert.equal(pool?.counters.noBackend, 0);
    });

    test('a pool with no healthy backend falls back to another pool, and comes back', async (t) => {
      const api = await startBackend(t, `127.0.0.${net + 1}`, 'api');
      const web = await startBackends(t, 2, net + 2);
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        STICKY: 'cookie',
        LB_POOLS: `web=${web.map((b) => b.address()).join(',')};api=${api.address()}`,
        LB_ROUTES: 'api=POST:/api',
        LB_POOL_FALLBACK: 'api=web',
      });
      const agent = client(4);
      t.after(() => agent.close());
      const post = () => send(agent, `${origin}/api/things`, { method: 'POST', body: 'x' });
      assert.equal(servedBy(await post()), 'api');
      await api.kill();
      const during = await runMany(30, 3, post);
      assert.deepEqual(
        [...new Set(during.map((r) => `${r.status}`))],
        ['200'],
        'refused on the dead one, retried, then sent to the fallback pool',
      );
      assert.deepEqual([...new Set(during.map(servedBy))].sort(), ['b1', 'b2']);
      assert.ok(
        during.every((r) => r.headers['set-cookie'] === undefined),
        'no sticky cookie from the fallback pool',
      );
      const apiPool = lb.registry.pool('api');
      assert.ok(apiPool);
      assert.equal(lb.registry.routing(apiPool), 'fallback');
      assert.ok((apiPool?.counters.fallbacks ?? 0) >= 29);
      await api.restart();
      await eventually(() => apiPool?.healthy === 1, 10_000, 'api back');
      assert.equal(servedBy(await post()), 'api', 'its own pool serves it again');
    });

    test('a body refused early is answered 413 (relayed), never 502, and not held against the backend', async (t) => {
      const [backend] = await startBackends(t, 1, net + 1);
      const { host, ports, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: `web=${backend?.address()}`,
      });
      const answers = await runMany(6, 2, () =>
        slowPost(host, ports.http, '/early', 8 * 1024 * 1024, 64, 5),
      );
      for (const a of answers) assert.match(a, /^HTTP\/1\.1 413 /, a.slice(0, 80));
      for (const a of answers) assert.match(a, /\r\nconnection: close\r\n/i);
      const b = lb.registry.all()[0];
      assert.equal(
        Object.values(b?.counters.failures ?? {}).reduce((x, y) => x + y, 0),
        0,
      );
      assert.equal(b?.counters.retries, 0, 'never retried');
      assert.equal(b?.up, true);
    });

    test('a slow upload is not a slow server: the response timeout starts at the end of the body', async (t) => {
      const [backend] = await startBackends(t, 1, net + 1);
      const { host, ports, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        // 1 s instead of 30 s keeps the test short; the real-stack test uploads with the default.
        LB_RESPONSE_TIMEOUT_MS: '1000',
        LB_POOLS: `web=${backend?.address()}`,
      });
      // Larger than LB_RETRY_BODY_BYTES, so the http-proxy engine streams it too.
      const answer = await slowPost(host, ports.http, '/', 256_000, 20, 150);
      assert.match(answer, /^HTTP\/1\.1 200 /, 'a 3 s upload with a 1 s response timeout');
      assert.match(answer, /\r\nok b1 256000\r\n/);
      const stalled = await slowPost(host, ports.http, '/slow?ms=3000', 10, 1, 0);
      assert.match(stalled, /^HTTP\/1\.1 504 /, 'a slow answer after the body is still timed');
      assert.equal(lb.registry.all()[0]?.counters.ejections, 0);
    });
  });
}
