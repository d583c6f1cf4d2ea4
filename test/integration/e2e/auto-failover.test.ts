/**
 * DB_FAILOVER=auto with its default DB_FAILOVER_AFTER_MS (10 s):
 * - kill -9 of the primary: the runner restarts it within the window, so the monitor does NOT fail
 *   over (a restart loses nothing with InnoDB's durable commits and is cheaper than a promotion);
 * - the primary stopped and kept down: after the window the db-monitor promotes the most advanced
 *   replica, writes resume without restarting anything, every acknowledged post is on the writer;
 * - the old primary started again comes back writable (its config has no read_only) with the old
 *   record: the monitor makes it read-only, so there are never two writable primaries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { currentPid, readStackFile } from '../../../loadtest/drills/stack.ts';
import { startService, stopService } from '../../../runner/stack/control.ts';
import { startOwnStack } from '../../support/own-stack.ts';
import { connectMysql } from '../../support/stack.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('auto failover: no promotion for a primary the runner restarts; a promotion for one that stays down; the old primary fenced', async (t) => {
  // The promote test's smallest stack with two replicas, plus the flag under test.
  const own = await startOwnStack(t, {
    STAGE: '4',
    WEB_REPLICAS: '1',
    READ_API_REPLICAS: '0',
    WRITE_API_REPLICAS: '0',
    DB_FAILOVER: 'auto',
  });
  const monitor = own.info.services.find((s) => s.kind === 'db-monitor');
  assert.ok(monitor, 'DB_FAILOVER=auto plans the db-monitor');
  const status = async () =>
    (await (
      await fetch(`http://${monitor.host}:${monitor.ports.metrics}/status.json`, {
        signal: AbortSignal.timeout(5000),
      })
    ).json()) as { epoch: number; failovers: number; fenced: number };

  const client = own.client();
  const user = { username: `auto_${Date.now()}`, password: 'failover-pass-1' };
  assert.equal((await client.post('/api/users', { json: user })).status, 201);
  assert.equal((await client.post('/api/sessions', { json: user })).status, 200);
  const acked: number[] = [];
  let n = 0;
  const write = async () => {
    const r = await client
      .post<{ id: number }>('/api/posts', {
        json: { body: `auto failover ${n}` },
        headers: { 'idempotency-key': `auto-${n++}` },
      })
      .catch(() => undefined);
    if (r?.status === 201) acked.push(r.body.id);
    return r?.status ?? 0;
  };
  for (let i = 0; i < 10; i++) assert.equal(await write(), 201);

  // 1. kill -9: the supervisor restarts the primary well within 10 s.
  const pid = currentPid(readStackFile(own.stackFile), 'mysql-primary');
  assert.ok(pid !== undefined);
  process.kill(pid, 'SIGKILL');
  await sleep(12_000);
  assert.equal((await status()).failovers, 0, 'no failover for a primary that came back in time');
  let back = 0;
  for (let i = 0; i < 40 && back !== 201; i++) {
    back = await write();
    if (back !== 201) await sleep(500);
  }
  assert.equal(back, 201, 'writes go on on the restarted primary');

  // 2. The primary stopped and kept down: a promotion after the window.
  await stopService(own.stackFile, 'mysql-primary');
  const downAt = Date.now();
  let status201 = 0;
  while (status201 !== 201 && Date.now() - downAt < 45_000) {
    status201 = await write();
    if (status201 !== 201) await sleep(500);
  }
  const resumedMs = Date.now() - downAt;
  t.diagnostic(`writes resumed ${resumedMs} ms after the primary stopped`);
  assert.equal(status201, 201, 'writes resume on the promoted replica');
  assert.ok(resumedMs >= 10_000, 'not before DB_FAILOVER_AFTER_MS');
  const s = await status();
  assert.equal(s.failovers, 1);
  assert.equal(s.epoch, 2);

  const [rows] = await (async () => {
    for (const name of ['mysql-replica-1', 'mysql-replica-2']) {
      const c = await connectMysql(own.info, { instance: name, database: own.info.mysql.database });
      try {
        const [ro] = await c.query<RowDataPacket[]>('SELECT @@read_only AS ro');
        if (Number(ro[0]?.ro) === 0)
          return await c.query<RowDataPacket[]>(
            `SELECT COUNT(*) AS n FROM posts WHERE id IN (${acked.join(',')})`,
          );
      } finally {
        await c.end();
      }
    }
    throw new Error('no replica became writable');
  })();
  assert.equal(Number(rows[0]?.n), acked.length, 'every acknowledged post is on the new writer');

  // 3. The old primary comes back writable; the monitor fences it.
  await startService(own.stackFile, 'mysql-primary');
  let readOnly = false;
  for (let i = 0; i < 60 && !readOnly; i++) {
    await sleep(500);
    readOnly = await connectMysql(own.info).then(
      async (c) => {
        try {
          const [ro] = await c.query<RowDataPacket[]>('SELECT @@read_only AS ro');
          return Number(ro[0]?.ro) === 1;
        } finally {
          await c.end();
        }
      },
      () => false,
    );
  }
  assert.ok(readOnly, 'the old primary was made read-only');
  assert.ok((await status()).fenced >= 1);
  assert.equal(await write(), 201, 'writes go on on the new writer');
});
