/**
 * Balancing and stickiness through the real LB (built from app.ts) in front of real backend
 * processes, for both engines: round-robin spread, weights, sticky cookies (kept, forged, stale,
 * dead backend), all backends down.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { backendToken } from '../../../services/lb/sticky/codec.ts';
import { READ_API_RULE, WRITE_API_RULE } from '../../../services/shared/topology/routes.ts';
import { startBackends } from './support/backends.ts';
import { client, eventually, runMany, send, servedBy } from './support/client.ts';
import { baseEnv, ENGINES, STICKY_SECRET, startLb } from './support/lb.ts';

const cookieOf = (setCookie: string | string[] | undefined): string | undefined => {
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  return first?.split(';')[0];
};

for (const [index, engine] of ENGINES.entries()) {
  const net = 40 + index * 10;
  describe(`balancing (${engine})`, () => {
    test('round-robin spreads 30,000 requests within ±2 % over 3 backends', async (t) => {
      const backends = await startBackends(t, 3, net + 1);
      const { origin } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: `web=${backends.map((b) => b.address()).join(',')}`,
      });
      const agent = client(24);
      t.after(() => agent.close());
      const replies = await runMany(30_000, 24, () => send(agent, `${origin}/`));
      const counts = new Map<string, number>();
      for (const r of replies) {
        assert.equal(r.status, 200);
        counts.set(servedBy(r), (counts.get(servedBy(r)) ?? 0) + 1);
      }
      assert.equal(counts.size, 3);
      for (const [id, n] of counts) assert.ok(Math.abs(n / 30_000 - 1 / 3) <= 0.02, `${id}: ${n}`);
    });

    test('weights: a backend of weight 3 takes 3/4 of the traffic', async (t) => {
      const [a, b] = await startBackends(t, 2, net + 4);
      const { origin } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: `web=${a?.address()}*3,${b?.address()}`,
      });
      const agent = client(8);
      t.after(() => agent.close());
      const replies = await runMany(2000, 8, () => send(agent, `${origin}/`));
      const heavy = replies.filter((r) => servedBy(r) === 'b1').length / replies.length;
      assert.ok(Math.abs(heavy - 0.75) <= 0.02, `weight-3 share ${heavy}`);
    });

    test('sticky cookie: opaque, stripped before the backend, ≥ 99.9 % of requests stay put', async (t) => {
      const backends = await startBackends(t, 3, net + 1);
      const { origin } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        STICKY: 'cookie',
        LB_ALGORITHM: 'least-connections',
        LB_POOLS: `web=${backends.map((b) => b.address()).join(',')}`,
      });
      const agent = client(16);
      t.after(() => agent.close());
      const clients = 100;
      const perClient = 50;
      let same = 0;
      let total = 0;
      const seen = new Set<string>();
      await runMany(clients, 16, async () => {
        const first = await send(agent, `${origin}/echo`);
        const cookie = cookieOf(first.headers['set-cookie']);
        assert.ok(cookie?.startsWith('lb_srv='), 'the LB inserts its cookie');
        assert.doesNotMatch(cookie ?? '', /127\.0\.0|:\d{2,5}/, 'no address or port in the cookie');
        const home = servedBy(first);
        seen.add(home);
        for (let i = 0; i < perClient; i++) {
          const r = await send(agent, `${origin}/echo`, {
            headers: { cookie: `app=1; ${cookie}` },
          });
          total++;
          if (servedBy(r) === home) same++;
          const seenHeaders = (JSON.parse(r.body) as { headers: string[] }).headers;
          const cookieAtBackend =
            seenHeaders[seenHeaders.findIndex((h) => h.toLowerCase() === 'cookie') + 1];
          assert.equal(
            cookieAtBackend,
            'app=1',
            'the sticky cookie is stripped before the backend',
          );
          assert.equal(r.headers['set-cookie'], undefined, 'a valid cookie is not re-set');
        }
      });
      assert.ok(same / total >= 0.999, `sticky ${same}/${total}`);
      assert.ok(seen.size >= 2, 'new clients are still balanced');
    });

    test('forged and stale cookies are ignored and replaced', async (t) => {
      const backends = await startBackends(t, 2, net + 1);
      const { origin } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        STICKY: 'cookie',
        LB_POOLS: `web=${backends.map((b) => b.address()).join(',')}`,
      });
      const agent = client(4);
      t.after(() => agent.close());
      const tokens = new Set(backends.map((b) => backendToken(STICKY_SECRET, 'web', b.address())));
      const bad = [
        'lb_srv=AAAAAAAAAAAAAAAAAAAAAA',
        'lb_srv=127.0.0.41:3000',
        `lb_srv=${backendToken('another-secret-0123456789', 'web', backends[0]?.address() ?? '')}`,
        `lb_srv=${backendToken(STICKY_SECRET, 'web', '127.0.0.99:1')}`,
        'lb_srv=',
        'lb_srv=../../etc/passwd',
      ];
      for (const cookie of bad) {
        const r = await send(agent, `${origin}/`, { headers: { cookie } });
        assert.equal(r.status, 200, cookie);
        const replaced = cookieOf(r.headers['set-cookie']);
        assert.ok(
          replaced !== undefined && tokens.has(replaced.slice(7)),
          `${cookie} replaced by a valid one`,
        );
      }
    });

    test('a cookie naming a dead backend is redispatched on the first request', async (t) => {
      const backends = await startBackends(t, 2, net + 1);
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        STICKY: 'cookie',
        LB_POOLS: `web=${backends.map((b) => b.address()).join(',')}`,
      });
      const agent = client(4);
      t.after(() => agent.close());
      const first = await send(agent, `${origin}/`);
      const cookie = cookieOf(first.headers['set-cookie']) as string;
      const home = backends.find((b) => b.id === servedBy(first));
      const other = backends.find((b) => b !== home);
      await home?.kill();
      // Whether or not the health checks have noticed yet, the very next request is answered.
      const moved = await send(agent, `${origin}/`, { headers: { cookie } });
      assert.equal(moved.status, 200);
      assert.equal(servedBy(moved), other?.id);
      const newCookie = cookieOf(moved.headers['set-cookie']);
      assert.equal(
        newCookie,
        `lb_srv=${backendToken(STICKY_SECRET, 'web', other?.address() ?? '')}`,
      );
      const again = await send(agent, `${origin}/`, { headers: { cookie: newCookie as string } });
      assert.equal(servedBy(again), other?.id);
      await eventually(
        () => lb.registry.pool('web')?.upCount() === 1,
        5000,
        'the dead backend marked down',
      );
    });

    test('all backends down: a fast 503 with Retry-After and a JSON body without internals', async (t) => {
      const backends = await startBackends(t, 2, net + 1);
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: `web=${backends.map((b) => b.address()).join(',')}`,
      });
      await Promise.all(backends.map((b) => b.kill()));
      await eventually(() => lb.registry.pool('web')?.upCount() === 0, 5000, 'both marked down');
      const agent = client(2);
      t.after(() => agent.close());
      const started = performance.now();
      const r = await send(agent, `${origin}/api/anything`);
      const ms = performance.now() - started;
      assert.equal(r.status, 503);
      assert.equal(r.headers['retry-after'], '1');
      const body = JSON.parse(r.body) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'LB_ERR_NO_BACKEND');
      assert.doesNotMatch(r.body, /127\.0\.0|ECONN|stack|at /);
      assert.ok(ms < 1000, `answered in ${ms} ms, without trying to connect`);
    });

    test('access log: one line per request with backend, status, timings and retries', async (t) => {
      const backends = await startBackends(t, 2, net + 1);
      const lines: Record<string, unknown>[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const l of chunk.toString().split('\n'))
            if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
          done();
        },
      });
      const { origin } = await startLb(
        t,
        {
          ...baseEnv(t, engine, `127.0.0.${net}`),
          LB_ACCESS_LOG: 'on',
          LB_LOG_LEVEL: 'info',
          LB_POOLS: `web=${backends.map((b) => b.address()).join(',')}`,
        },
        { logger: pino(sink) },
      );
      const agent = client(2);
      t.after(() => agent.close());
      const r = await send(agent, `${origin}/status/503`);
      assert.equal(r.status, 503);
      await eventually(
        () => lines.some((l) => l.reqId === r.headers['x-request-id']),
        2000,
        'the access line',
      );
      const line = lines.find((l) => l.reqId === r.headers['x-request-id']) ?? {};
      assert.equal(line.status, 503);
      assert.equal(line.path, '/status/503');
      assert.equal(line.retries, 0);
      assert.ok(backends.some((b) => b.address() === line.backend));
      assert.equal(typeof line.ms, 'number');
      assert.equal(typeof line.headersMs, 'number');
    });

    test('routing: reads to read-api, writes to write-api, the rest to web; one sticky cookie per pool', async (t) => {
      const [web, read, write] = await startBackends(t, 3, net + 1);
      const { origin } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        STICKY: 'cookie',
        LB_POOLS: `web=${web?.address()};read-api=${read?.address()};write-api=${write?.address()}`,
        LB_ROUTES: `${READ_API_RULE};${WRITE_API_RULE}`,
      });
      const agent = client(2);
      t.after(() => agent.close());
      const cases: [string, string, string, string][] = [
        ['GET', '/api/posts/1', 'b2', 'lb_srv_read_api'],
        ['GET', '/api/users/3/posts', 'b2', 'lb_srv_read_api'],
        ['POST', '/api/posts', 'b3', 'lb_srv_write_api'],
        ['DELETE', '/api/media/9', 'b3', 'lb_srv_write_api'],
        ['POST', '/api/users', 'b1', 'lb_srv'],
        ['GET', '/api/cart', 'b1', 'lb_srv'],
        ['GET', '/api/postsx', 'b1', 'lb_srv'],
      ];
      for (const [method, path, backend, cookieName] of cases) {
        const r = await send(
          agent,
          `${origin}${path}`,
          method === 'GET' ? {} : { method, body: '{}' },
        );
        assert.equal(servedBy(r), backend, `${method} ${path}`);
        assert.equal(
          cookieOf(r.headers['set-cookie'])?.split('=')[0],
          cookieName,
          `${method} ${path}`,
        );
      }
    });
  });
}
