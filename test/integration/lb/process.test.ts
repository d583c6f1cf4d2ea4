/**
 * The LB as a real process (services/lb/server.ts): one process and several workers sharing the
 * ports. Stickiness, health and stats must stay correct across workers; SIGTERM drains in-flight
 * requests and exits 0; a second signal exits at once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent } from 'undici';
import { backendToken } from '../../../services/lb/sticky/codec.ts';
import { startBackends, type TestBackend } from './support/backends.ts';
import { eventually, runMany, send, servedBy } from './support/client.ts';
import { baseEnv, ENGINES, STICKY_SECRET, spawnLb } from './support/lb.ts';

/** A fresh connection per request, so the kernel spreads them over the workers. */
const oneShot = () => new Agent({ pipelining: 0, connections: 64, keepAliveTimeout: 1 });

interface StatsJson {
  pools: {
    name: string;
    requests: number;
    backends: { address: string; up: boolean; requests: number }[];
  }[];
  processes: { role: string }[];
}

async function stats(admin: string): Promise<StatsJson> {
  const agent = oneShot();
  try {
    return JSON.parse((await send(agent, `${admin}/stats.json`)).body) as StatsJson;
  } finally {
    await agent.close();
  }
}

for (const [index, engine] of ENGINES.entries()) {
  const net = 120 + index * 10;
  describe(`LB process (${engine})`, () => {
    test('two workers: stickiness, health and stats stay correct', async (t) => {
      const backends = await startBackends(t, 3, net + 1);
      const host = `127.0.0.${net}`;
      const lb = await spawnLb(t, {
        ...baseEnv(t, engine, host),
        LB_WORKERS: '2',
        STICKY: 'cookie',
        LB_POOLS: `web=${backends.map((b) => b.address()).join(',')}`,
      });
      const origin = `http://${host}:${lb.ports.http}`;
      const admin = `http://${host}:${lb.ports.admin}`;
      const agent = oneShot();
      t.after(() => agent.close());

      const plain = await runMany(300, 12, () => send(agent, `${origin}/`));
      const workerPrefixes = new Set(
        plain.map((r) => String(r.headers['x-request-id']).split('-')[0]),
      );
      assert.equal(workerPrefixes.size, 2, 'both workers answered');
      const s1 = await stats(admin);
      assert.equal(s1.pools[0]?.requests, 300, 'stats count every request once, over both workers');
      assert.equal(s1.processes.filter((p) => p.role === 'worker').length, 2);

      const target = backends[2] as TestBackend;
      const cookie = `lb_srv=${backendToken(STICKY_SECRET, 'web', target.address())}`;
      const sticky = await runMany(300, 12, () =>
        send(agent, `${origin}/`, { headers: { cookie } }),
      );
      assert.ok(
        sticky.every((r) => servedBy(r) === target.id),
        'every worker honours the same cookie',
      );

      await target.kill();
      await eventually(
        async () =>
          (await stats(admin)).pools[0]?.backends.find((b) => b.address === target.address())
            ?.up === false,
        5000,
        'the primary marks it down',
      );
      const moved = await runMany(200, 12, () =>
        send(agent, `${origin}/`, { headers: { cookie } }),
      );
      assert.ok(
        moved.every((r) => r.status === 200 && servedBy(r) !== target.id),
        'all workers route around it',
      );
      const s2 = await stats(admin);
      assert.equal(s2.pools[0]?.requests, 800);
    });

    for (const workers of ['1', '2']) {
      test(`SIGTERM with ${workers} worker(s): in-flight requests finish, then exit 0; a second signal exits at once`, async (t) => {
        const backends = await startBackends(t, 2, net + 1);
        const host = `127.0.0.${net}`;
        const env = {
          ...baseEnv(t, engine, host),
          LB_WORKERS: workers,
          LB_POOLS: `web=${backends.map((b) => b.address()).join(',')}`,
        };
        const lb = await spawnLb(t, env);
        const origin = `http://${host}:${lb.ports.http}`;
        const agent = oneShot();
        t.after(() => agent.close());
        const inflight = runMany(6, 6, () => send(agent, `${origin}/slow?ms=1200`));
        await new Promise((r) => setTimeout(r, 400));
        lb.proc.kill('SIGTERM');
        const replies = await inflight;
        assert.deepEqual(
          replies.map((r) => r.status),
          [200, 200, 200, 200, 200, 200],
        );
        assert.equal(await lb.exited, 0);

        const again = await spawnLb(t, env);
        const origin2 = `http://${host}:${again.ports.http}`;
        const stuck = send(agent, `${origin2}/slow?ms=20000`).catch(() => null);
        await new Promise((r) => setTimeout(r, 400));
        const started = performance.now();
        again.proc.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 200));
        again.proc.kill('SIGTERM');
        assert.equal(await again.exited, 1);
        assert.ok(
          performance.now() - started < 3000,
          'the second signal does not wait for the drain',
        );
        await stuck;
      });
    }
  });
}
