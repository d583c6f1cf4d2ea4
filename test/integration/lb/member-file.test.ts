/**
 * A member file (`pool=file:/path`, what the native runner rewrites when it scales a pool): the LB
 * follows the list without a restart. Scale-in under load loses nothing: the server leaves the
 * list first, and only once the LB has dropped it is it stopped (SIGTERM: it drains).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startBackend } from './support/backends.ts';
import { backgroundLoad, client, eventually, runMany, send, servedBy } from './support/client.ts';
import { baseEnv, ENGINES, startLb, tempDir } from './support/lb.ts';

for (const [index, engine] of ENGINES.entries()) {
  const net = 200 + index * 10;
  describe(`member file (${engine})`, () => {
    test('servers added and removed through the file; scale-in under load fails nothing', async (t) => {
      const b1 = await startBackend(t, `127.0.0.${net + 1}`, 'b1');
      const b2 = await startBackend(t, `127.0.0.${net + 2}`, 'b2');
      const file = join(tempDir(t), 'web.members');
      const write = (...members: string[]) =>
        writeFileSync(file, `# written by the test\n${members.join('\n')}\n`);
      write(b1.address());
      const { origin, lb } = await startLb(t, {
        ...baseEnv(t, engine, `127.0.0.${net}`),
        LB_DNS_INTERVAL_MS: '200',
        LB_POOLS: `web=file:${file}`,
      });
      const pool = lb.registry.pool('web');
      const agent = client(6);
      t.after(() => agent.close());
      const servers = async (n: number) =>
        new Set((await runMany(n, 6, () => send(agent, `${origin}/`))).map(servedBy));
      assert.deepEqual([...(await servers(30))], ['b1']);

      write(b1.address(), `${b2.address()}*1`, 'not a member line');
      await eventually(() => pool?.upCount() === 2, 10_000, 'two backends up');
      assert.deepEqual([...(await servers(60))].sort(), ['b1', 'b2']);

      const load = backgroundLoad(6, () => send(agent, `${origin}/`));
      await new Promise((r) => setTimeout(r, 500));
      write(b1.address());
      await eventually(() => pool?.backends.length === 1, 10_000, 'b2 out of the pool');
      b2.signal('SIGTERM');
      await b2.exited();
      await new Promise((r) => setTimeout(r, 500));
      const { ok, failed, errors } = await load.stop();
      assert.ok(ok > 50, `a real load ran (${ok})`);
      assert.deepEqual([failed.map((r) => r.status), errors.map(String)], [[], []]);

      // An empty list is taken as it is (the runner never writes one for a pool with servers).
      writeFileSync(file, '');
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(pool?.backends.length, 0, 'an empty list empties the pool');
      write(b1.address());
      await eventually(() => pool?.upCount() === 1, 10_000, 'b1 back');
    });
  });
}
