/**
 * Overload is answered, not queued forever (HAProxy's maxconn, maxqueue, timeout queue and the
 * frontend maxconn), through the real LB for both engines. The limits are lowered so a handful of
 * requests fill them; the real-stack test overloads the product's defaults.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { backendToken } from '../../../services/lb/sticky/codec.ts';
import { startBackends } from './support/backends.ts';
import { client, eventually, send } from './support/client.ts';
import { baseEnv, ENGINES, STICKY_SECRET, startLb } from './support/lb.ts';

const code = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

for (const [index, engine] of ENGINES.entries()) {
  const net = 160 + index * 10;
  describe(`overload (${engine})`, () => {
    test('full backends: a bounded queue with a deadline, then fast 503s', async (t) => {
      const [backend] = await startBackends(t, 1, net + 1);
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: `web=${backend?.address()}`,
        LB_BACKEND_MAX_CONNECTIONS: '2',
        LB_POOL_MAX_QUEUE: '3',
        LB_QUEUE_TIMEOUT_MS: '3000',
      });
      const agent = client(20);
      t.after(() => agent.close());
      const timed = async () => {
        const started = performance.now();
        const reply = await send(agent, `${origin}/`);
        return { reply, ms: performance.now() - started };
      };
      const slow = [1, 2].map(() => send(agent, `${origin}/slow?ms=8000`));
      await eventually(() => lb.registry.all()[0]?.inflight === 2, 5000, 'both slots taken');
      const queued = [1, 2, 3].map(timed);
      await eventually(() => lb.context.admission.waiting === 3, 5000, 'three queued');
      const refused = await timed();
      assert.equal(refused.reply.status, 503);
      assert.equal(code(refused.reply.body), 'LB_ERR_QUEUE_FULL');
      assert.equal(refused.reply.headers['retry-after'], '1');
      assert.ok(refused.ms < 2000, `refused at once (${Math.round(refused.ms)} ms), not queued`);
      for (const { reply, ms } of await Promise.all(queued)) {
        assert.equal(reply.status, 503);
        assert.equal(code(reply.body), 'LB_ERR_QUEUE_TIMEOUT');
        assert.ok(ms >= 2900, `answered after the queue timeout (${Math.round(ms)} ms)`);
      }
      for (const r of await Promise.all(slow)) assert.equal(r.status, 200);
      const pool = lb.registry.pool('web');
      assert.equal(pool?.counters.queueFull, 1);
      assert.equal(pool?.counters.queueTimeouts, 3);
      assert.equal(lb.context.admission.waiting, 0);
    });

    test('a freed slot goes to the oldest waiting request, sticky ones to their own backend', async (t) => {
      const backends = await startBackends(t, 2, net + 1);
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        STICKY: 'cookie',
        LB_POOLS: `web=${backends.map((b) => b.address()).join(',')}`,
        LB_BACKEND_MAX_CONNECTIONS: '1',
      });
      const agent = client(20);
      t.after(() => agent.close());
      const cookie = `lb_srv=${backendToken(STICKY_SECRET, 'web', backends[1]?.address() ?? '')}`;
      const busy = [1, 2].map((i) =>
        send(agent, `${origin}/slow?ms=${400 * i}`, { headers: { cookie: 'x=1' } }),
      );
      await eventually(() => lb.registry.all().every((b) => b.inflight === 1), 5000, 'full');
      const sticky = send(agent, `${origin}/`, { headers: { cookie } });
      const any = [1, 2, 3].map(() => send(agent, `${origin}/`));
      const all = await Promise.all([sticky, ...any, ...busy]);
      assert.deepEqual([...new Set(all.map((r) => r.status))], [200], 'every one served');
      assert.equal(all[0]?.headers['x-served-by'], 'b2', 'the sticky request waited for b2');
    });

    test('client connections over LB_MAX_CLIENT_CONNECTIONS are closed at once', async (t) => {
      const [backend] = await startBackends(t, 1, net + 1);
      const { host, ports, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_POOLS: `web=${backend?.address()}`,
        LB_MAX_CLIENT_CONNECTIONS: '3',
      });
      const open = (): Promise<Socket> =>
        new Promise((resolve, reject) => {
          const s = connect(ports.http, host, () => resolve(s));
          s.on('error', reject);
        });
      const kept = await Promise.all([open(), open(), open()]);
      t.after(() => {
        for (const s of kept) s.destroy();
      });
      const extra = await open();
      const closed = await new Promise<boolean>((resolve) => {
        extra.on('close', () => resolve(true));
        extra.on('error', () => {});
        setTimeout(() => resolve(false), 3000);
      });
      assert.ok(closed, 'the fourth connection is closed by the LB');
      assert.equal(lb.context.rejected.get('LB_ERR_TOO_MANY_CONNECTIONS'), 1);
      kept[0]?.destroy();
      const agent = client(1);
      t.after(() => agent.close());
      await eventually(
        async () =>
          (await send(agent, `http://${host}:${ports.http}/`).catch(() => null))?.status === 200,
        3000,
        'served again once a connection closed',
      );
    });
  });
}
