/**
 * Issue 7 item 1: kill -9 of the MariaDB primary under a little write load. The runner restarts it
 * (nothing else), writes resume by themselves, the replica reconnects by itself, and no
 * acknowledged write is lost or doubled (every write carries its own Idempotency-Key and a unique
 * body; afterwards each acknowledged one is on the primary exactly once, with the id it returned).
 * STAGE=1 with one replica keeps the machine load small; the product's settings otherwise.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Client } from '../../support/http.ts';
import { sleep, startOwnStack, until } from '../../support/own-stack.ts';
import {
  connectMysql,
  query,
  readStackFile,
  serviceOf,
  waitForReplica,
} from '../../support/stack.ts';

interface Write {
  readonly body: string;
  readonly at: number;
  readonly status: number;
  readonly id: number | null;
}

test('primary killed under writes: restarted alone, writes resume, nothing acknowledged lost', async (t) => {
  const stack = await startOwnStack(t, { STAGE: '1', DB_REPLICAS: '1' });
  const tag = randomBytes(4).toString('hex');
  const clients: Client[] = [];
  for (let i = 0; i < 2; i++) {
    const c = stack.client();
    const credentials = { username: `sup_${tag}_${i}`, password: 'supervision-test-password' };
    assert.equal((await c.post('/api/users', { json: credentials })).status, 201);
    assert.equal((await c.post('/api/sessions', { json: credentials })).status, 200);
    clients.push(c);
  }
  const t0 = Date.now();
  const writes: Write[] = [];
  let running = true;
  const loop = async (c: Client, n: number) => {
    for (let i = 0; running; i++) {
      const body = `sup-${tag}-${n}-${i}`;
      const at = Date.now() - t0;
      let status = 0;
      let id: number | null = null;
      try {
        const r = await c.post<{ id?: number }>('/api/posts', {
          json: { body },
          headers: { 'idempotency-key': `${tag}-${n}-${i}` },
        });
        status = r.status;
        if (status === 201) id = r.body.id ?? null;
      } catch {
        status = 0;
      }
      writes.push({ body, at, status, id });
      await sleep(50);
    }
  };
  const loops = clients.map((c, n) => loop(c, n));
  t.after(() => {
    running = false;
  });
  await sleep(2000);

  const before = readStackFile(stack.stackFile);
  const primary = serviceOf(before, 'mysql-primary');
  const killedAt = Date.now() - t0;
  process.kill(primary.pid ?? 0, 'SIGKILL');
  await until(
    () => {
      const p = serviceOf(readStackFile(stack.stackFile), 'mysql-primary');
      return p.state === 'running' && p.pid !== primary.pid;
    },
    60_000,
    'the primary restarted',
  );
  const backAt = Date.now() - t0;
  await sleep(5000);
  running = false;
  await Promise.all(loops);

  const after = readStackFile(stack.stackFile);
  assert.equal(serviceOf(after, 'mysql-primary').restarts, 1);
  for (const s of after.services.filter((x) => !x.oneShot && x.name !== 'mysql-primary'))
    assert.deepEqual(
      [s.name, s.pid, s.restarts],
      [s.name, serviceOf(before, s.name).pid, 0],
      'nothing else was restarted',
    );
  const late = writes.filter((w) => w.at > backAt + 3000);
  assert.ok(late.length > 0, 'writes were sent after the restart');
  assert.deepEqual(
    late.filter((w) => w.status !== 201),
    [],
    'writes resume by themselves once the primary is back',
  );
  const acknowledged = writes.filter((w) => w.status === 201);
  assert.ok(acknowledged.some((w) => w.at < killedAt) && acknowledged.some((w) => w.at > backAt));

  const conn = await connectMysql(after, { database: after.mysql.database });
  try {
    const rows = await query(conn, 'SELECT id, body FROM posts WHERE body LIKE ?', [
      `sup-${tag}-%`,
    ]);
    const ids = new Map<string, number[]>();
    for (const r of rows)
      ids.set(String(r.body), [...(ids.get(String(r.body)) ?? []), Number(r.id)]);
    const doubled = [...ids].filter(([, list]) => list.length > 1);
    assert.deepEqual(doubled, [], 'no write stored twice');
    const lost = acknowledged.filter((w) => ids.get(w.body)?.[0] !== w.id);
    assert.deepEqual(lost, [], 'every acknowledged write is on the primary with its id');
  } finally {
    await conn.end();
  }
  await waitForReplica(after, 'mysql-replica-1', 30_000);
  t.diagnostic(
    `writes: ${writes.length}, acknowledged ${acknowledged.length}, failed ${writes.length - acknowledged.length}; primary back after ${backAt - killedAt} ms`,
  );
});
