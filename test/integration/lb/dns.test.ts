/**
 * DNS re-resolution (`pool=dns:name:port`, as in compose where `--scale web=N` changes the
 * answer): backends appear and disappear without a restart, through the LB's real resolver path
 * pointed at a name server the test controls.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startBackend } from './support/backends.ts';
import { client, eventually, runMany, send, servedBy } from './support/client.ts';
import { startDnsServer } from './support/dns-server.ts';
import { baseEnv, ENGINES, startLb } from './support/lb.ts';

for (const [index, engine] of ENGINES.entries()) {
  const net = 100 + index * 10;
  describe(`DNS discovery (${engine})`, () => {
    test('re-resolution adds and removes backends; a failed lookup keeps the last answer', async (t) => {
      const b1 = await startBackend(t, `127.0.0.${net + 1}`, 'b1');
      const b2 = await startBackend(t, `127.0.0.${net + 2}`, 'b2', { port: b1.port });
      const b3 = await startBackend(t, `127.0.0.${net + 3}`, 'b3', { port: b1.port });
      const dns = await startDnsServer(t, `127.0.0.${net + 9}`);
      dns.set('web.test', [b1.host]);
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_DNS_SERVERS: dns.address,
        LB_DNS_INTERVAL_MS: '200',
        LB_POOLS: `web=dns:web.test:${b1.port}`,
      });
      const pool = lb.registry.pool('web');
      const agent = client(6);
      t.after(() => agent.close());
      const servers = async (n: number) =>
        new Set((await runMany(n, 6, () => send(agent, `${origin}/`))).map(servedBy));
      assert.deepEqual([...(await servers(30))], ['b1']);

      dns.set('web.test', [b1.host, b2.host, b3.host]);
      await eventually(() => pool?.upCount() === 3, 10_000, 'three backends up');
      assert.deepEqual([...(await servers(60))].sort(), ['b1', 'b2', 'b3']);

      dns.set('web.test', [b3.host]);
      await eventually(() => pool?.backends.length === 1, 10_000, 'scaled down to one');
      const after = await runMany(30, 6, () => send(agent, `${origin}/`));
      assert.ok(after.every((r) => r.status === 200 && servedBy(r) === 'b3'));

      dns.muted = true;
      const mutedAt = dns.queries;
      await eventually(
        () => dns.queries >= mutedAt + 4,
        15_000,
        'lookups while the name server is silent',
      );
      assert.equal(pool?.backends.length, 1, 'a failed lookup keeps the last answer');
      assert.equal(servedBy(await send(agent, `${origin}/`)), 'b3');
      dns.muted = false;

      const queries = dns.queries;
      dns.set('web.test', null);
      await eventually(
        () => dns.queries > queries + 2 && pool?.backends.length === 0,
        10_000,
        'NXDOMAIN empties',
      );
      const empty = await send(agent, `${origin}/`);
      assert.equal(empty.status, 503);

      dns.set('web.test', [b2.host]);
      await eventually(() => pool?.upCount() === 1, 10_000, 'back from zero');
      assert.equal(servedBy(await send(agent, `${origin}/`)), 'b2');
    });
  });
}
