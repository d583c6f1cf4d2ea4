/**
 * Backend failures through the real LB, for both engines (RELIABILITY.md, load balancer section):
 * kill -9 under load, SIGSTOP, rolling restart, refused connections, resets after sending.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backendToken } from '../../../services/lb/sticky/codec.ts';
import { startBackend, startBackends, type TestBackend } from './support/backends.ts';
import { backgroundLoad, client, eventually, runMany, send, servedBy } from './support/client.ts';
import { baseEnv, ENGINES, STICKY_SECRET, startLb } from './support/lb.ts';

const pools = (bs: TestBackend[]) => `web=${bs.map((b) => b.address()).join(',')}`;

/** Request ids seen by more than one backend for the given method. */
function duplicated(backends: TestBackend[], method: string): string[] {
  const owner = new Map<string, string>();
  const dups: string[] = [];
  for (const b of backends) {
    for (const line of b.requests) {
      const [m, id] = line.split(' ');
      if (m !== method || id === undefined) continue;
      const seen = owner.get(id);
      if (seen !== undefined && seen !== b.id) dups.push(id);
      owner.set(id, b.id);
    }
  }
  return dups;
}

for (const [index, engine] of ENGINES.entries()) {
  const net = 60 + index * 10;
  describe(`backend failures (${engine})`, () => {
    test('a backend killed under load: < 0.1 % errors, marked down within 2 s, no POST sent twice', async (t) => {
      const backends = await startBackends(t, 3, net + 1, { record: true });
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: pools(backends),
      });
      const agent = client(12);
      t.after(() => agent.close());
      const total = 8000;
      let killedAt = 0;
      let downAfterMs = Number.POSITIVE_INFINITY;
      const replies = await runMany(total, 12, async (i) => {
        if (i === 1500) {
          void (backends[1] as TestBackend).kill().then(() => {
            killedAt = performance.now();
            void eventually(() => lb.registry.pool('web')?.upCount() === 2, 10_000, 'down').then(
              () => {
                downAfterMs = performance.now() - killedAt;
              },
            );
          });
        }
        const post = i % 2 === 0;
        try {
          return await send(
            agent,
            `${origin}/item/${i}`,
            post ? { method: 'POST', body: `payload-${i}` } : {},
          );
        } catch {
          return { status: 0, headers: {}, body: '' };
        }
      });
      const failed = replies.filter((r) => r.status !== 200);
      assert.ok(
        failed.length / total < 0.001,
        `${failed.length} of ${total} failed: ${failed.map((f) => f.status).join(',')}`,
      );
      await eventually(() => downAfterMs !== Number.POSITIVE_INFINITY, 5000, 'the down mark');
      assert.ok(downAfterMs <= 2000, `marked down after ${downAfterMs} ms`);
      assert.deepEqual(duplicated(backends, 'POST'), [], 'no POST reached two backends');
    });

    test('a stopped backend (SIGSTOP): 504 within the timeout, out of rotation, back after SIGCONT', async (t) => {
      const backends = await startBackends(t, 2, net + 1);
      const [stopped, healthy] = backends as [TestBackend, TestBackend];
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        STICKY: 'cookie',
        LB_RESPONSE_TIMEOUT_MS: '1500',
        LB_POOLS: pools(backends),
      });
      const agent = client(4);
      t.after(() => agent.close());
      const cookie = `lb_srv=${backendToken(STICKY_SECRET, 'web', stopped.address())}`;
      stopped.signal('SIGSTOP');
      const started = performance.now();
      const r = await send(agent, `${origin}/`, { headers: { cookie } });
      const ms = performance.now() - started;
      assert.equal(r.status, 504);
      assert.equal(
        (JSON.parse(r.body) as { error: { code: string } }).error.code,
        'LB_ERR_UPSTREAM_TIMEOUT',
      );
      assert.ok(ms >= 1400 && ms < 6000, `504 after ${ms} ms (timeout 1500 ms)`);
      await eventually(
        () => lb.registry.pool('web')?.upCount() === 1,
        5000,
        'the stopped backend marked down',
      );
      const meanwhile = await send(agent, `${origin}/`, { headers: { cookie } });
      assert.equal(meanwhile.status, 200);
      assert.equal(servedBy(meanwhile), healthy.id, 'its sticky clients are redispatched');
      stopped.signal('SIGCONT');
      await eventually(() => lb.registry.pool('web')?.upCount() === 2, 10_000, 'back in rotation');
      const back = await runMany(10, 2, () => send(agent, `${origin}/`));
      assert.ok(
        back.some((x) => servedBy(x) === stopped.id),
        'it serves again',
      );
    });

    test('rolling restart of every backend under load: zero failed requests', async (t) => {
      const backends = await startBackends(t, 3, net + 1, { drainMs: 2500 });
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: pools(backends),
      });
      const agent = client(8);
      t.after(() => agent.close());
      let n = 0;
      const load = backgroundLoad(6, () => {
        n++;
        return send(
          agent,
          `${origin}/r/${n}`,
          n % 2 ? { method: 'POST', body: 'x'.repeat(200) } : {},
        );
      });
      for (const b of backends) {
        b.signal('SIGTERM');
        await b.exited();
        await b.restart();
        await eventually(() => lb.registry.pool('web')?.upCount() === 3, 10_000, `${b.id} back up`);
      }
      const result = await load.stop();
      assert.deepEqual(
        result.failed.map((f) => `${f.status} ${f.body}`),
        [],
      );
      assert.deepEqual(result.errors, []);
      assert.ok(result.ok > 100, `${result.ok} requests went through`);
    });

    test('refused connections are retried on another backend, POST bodies included', async (t) => {
      const [live, dead] = await startBackends(t, 2, net + 1, { record: true });
      const deadAddress = (dead as TestBackend).address();
      await (dead as TestBackend).kill();
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_HEALTH_INTERVAL_MS: '0',
        LB_POOLS: `web=${live?.address()},${deadAddress}`,
      });
      const agent = client(4);
      t.after(() => agent.close());
      const replies = await runMany(20, 4, (i) =>
        send(agent, `${origin}/p${i}`, { method: 'POST', body: 'abcdef' }),
      );
      for (const r of replies) {
        assert.equal(r.status, 200);
        assert.match(r.body, /^ok b1 6$/, 'the whole body reached the live backend');
      }
      assert.ok(
        (lb.registry.pool('web')?.counters.retries ?? 0) >= 5,
        'some attempts hit the dead backend first',
      );
      assert.equal(live?.requests.filter((l) => l.startsWith('POST')).length, 20, 'each POST once');
    });

    test('a reset after sending: GET retried on each other backend, POST never retried', async (t) => {
      const backends = await startBackends(t, 3, net + 1, { record: true });
      const { origin } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_EJECT_AFTER_FAILURES: '0',
        LB_POOLS: pools(backends),
      });
      const agent = client(2);
      t.after(() => agent.close());
      const get = await send(agent, `${origin}/reset`);
      assert.equal(get.status, 502);
      assert.equal(
        (JSON.parse(get.body) as { error: { code: string } }).error.code,
        'LB_ERR_UPSTREAM_RESET',
      );
      const getId = String(get.headers['x-request-id']);
      const hits = backends.map(
        (b) => b.requests.filter((l) => l.startsWith(`GET ${getId} `)).length,
      );
      assert.deepEqual(hits, [1, 1, 1], 'one try on each backend (2 retries), never twice on one');
      const post = await send(agent, `${origin}/reset`, { method: 'POST', body: 'once' });
      assert.equal(post.status, 502);
      const postId = String(post.headers['x-request-id']);
      const postHits = backends.reduce(
        (a, b) => a + b.requests.filter((l) => l.startsWith(`POST ${postId} `)).length,
        0,
      );
      assert.equal(postHits, 1, 'the POST reached exactly one backend');
    });

    test('consecutive gateway failures eject a backend until it passes checks again; the last one is kept', async (t) => {
      const good = await startBackend(t, `127.0.0.${net + 1}`, 'good');
      const bad = await startBackend(t, `127.0.0.${net + 2}`, 'bad', { mode: '502' });
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_EJECT_AFTER_FAILURES: '3',
        LB_HEALTH_INTERVAL_MS: '2000',
        LB_HEALTH_TIMEOUT_MS: '1000',
        LB_POOLS: `web=${good.address()},${bad.address()}`,
      });
      const agent = client(2);
      t.after(() => agent.close());
      const replies = await runMany(40, 1, () => send(agent, `${origin}/`));
      const fromBad = replies.filter((r) => servedBy(r) === 'bad').length;
      assert.equal(fromBad, 3, 'three 502s, then the backend is out of rotation');
      const badBackend = lb.registry.all().find((b) => b.address === bad.address());
      assert.equal(badBackend?.counters.ejections, 1);
      await eventually(
        () => badBackend?.up === true,
        10_000,
        'back after passing checks (its readiness is fine)',
      );

      const lone = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net + 3}`),
        LB_EJECT_AFTER_FAILURES: '3',
        LB_POOLS: `web=${bad.address()}`,
      });
      const all = await runMany(10, 1, () => send(agent, `${lone.origin}/`));
      assert.ok(
        all.every((r) => r.status === 502),
        'the only backend is never ejected: its answers still pass through',
      );
    });

    test('deliberate 503s (with Retry-After) and 500s are answers: nobody is ejected', async (t) => {
      const busy = await startBackend(t, `127.0.0.${net + 1}`, 'busy', { mode: '503' });
      const buggy = await startBackend(t, `127.0.0.${net + 2}`, 'buggy', { mode: 'fail' });
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: `web=${busy.address()},${buggy.address()}`,
      });
      const agent = client(2);
      t.after(() => agent.close());
      const replies = await runMany(40, 2, () => send(agent, `${origin}/`));
      assert.deepEqual(
        [...new Set(replies.map((r) => `${r.status} ${servedBy(r)}`))].sort(),
        ['500 buggy', '503 busy'],
        'every answer is relayed from both',
      );
      for (const b of lb.registry.all()) {
        assert.equal(b.counters.ejections, 0, `${b.address} never ejected`);
        assert.equal(b.up, true);
      }
    });

    test('a client that goes away aborts its upstream request (in-flight drops to zero)', async (t) => {
      const [backend] = await startBackends(t, 1, net + 1);
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: `web=${backend?.address()}`,
      });
      const agent = client(4);
      t.after(() => agent.close());
      const controller = new AbortController();
      const pending = send(agent, `${origin}/slow?ms=20000`, { signal: controller.signal }).catch(
        (error: unknown) => error,
      );
      const b = lb.registry.all()[0];
      await eventually(() => b?.inflight === 1, 5000, 'the request in flight');
      controller.abort();
      await pending;
      await eventually(
        () => b?.inflight === 0 && lb.context.budget.active === 0,
        5000,
        'the attempt ended',
      );
      assert.equal((await send(agent, `${origin}/`)).status, 200);
    });
  });
}
