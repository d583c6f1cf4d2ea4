/**
 * Primary killed with kill -9 under writes, then `make promote` (scripts/promote.ts): the most
 * advanced replica becomes the writer, the other replica follows it, the web server follows the
 * topology record without a restart, every write acknowledged before the kill is on the new
 * writer, and the old primary, started again (writable, with its old record), is fenced: no write
 * reaches it, until `make rejoin` makes it a read-only replica of the new writer.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { findRepoDir } from '../../../runner/host/repo-dir.ts';
import { startService, stopService } from '../../../runner/stack/control.ts';
import { startOwnStack } from '../../support/own-stack.ts';
import { connectMysql, query } from '../../support/stack.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('make promote after kill -9 of the primary: writes resume on the new writer, nothing acknowledged lost, the old primary fenced', async (t) => {
  // One web server and no API pools: the smallest stack with two replicas (what promotion needs)
  // on a two-core machine; every web server runs the same writer watch.
  const own = await startOwnStack(t, {
    STAGE: '4',
    WEB_REPLICAS: '1',
    READ_API_REPLICAS: '0',
    WRITE_API_REPLICAS: '0',
  });
  const client = own.client();
  const user = { username: `promo_${Date.now()}`, password: 'promote-pass-1' };
  assert.equal((await client.post('/api/users', { json: user })).status, 201);
  assert.equal((await client.post('/api/sessions', { json: user })).status, 200);

  // The ledger: every acknowledged write's key and id.
  const acked = new Map<string, number>();
  let n = 0;
  // A write that fails at the transport (a connection the LB closed) is simply not acknowledged.
  const write = async () => {
    const key = `promo-${n++}`;
    const r = await client
      .post<{ id: number }>('/api/posts', {
        json: { body: `ledger ${key}` },
        headers: { 'idempotency-key': key },
      })
      .catch(() => undefined);
    if (r?.status === 201) acked.set(key, r.body.id);
    return r?.status ?? 0;
  };
  for (let i = 0; i < 20; i++) assert.equal(await write(), 201);

  const stackFile = join(own.info.stackDir, 'stack.json');
  // Killed like a crash, and kept down (the runner would otherwise restart it): the box is gone.
  await stopService(stackFile, 'mysql-primary', { signal: 'SIGKILL' });
  const during = await write();
  assert.notEqual(during, 201, 'with the primary dead a write is refused, not hung');

  const promoted = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(findRepoDir(), 'scripts/promote.ts')],
    {
      env: { ...process.env, STACK_FILE: join(own.info.stackDir, 'stack.json') },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  t.diagnostic(promoted.stdout);
  assert.equal(promoted.status, 0, promoted.stderr);
  const writer = /promote: (mysql-replica-\d) writes/.exec(promoted.stdout)?.[1];
  assert.ok(writer, 'promote names the new writer');

  const resumedFrom = Date.now();
  let status = 0;
  while (status !== 201 && Date.now() - resumedFrom < 15_000) {
    status = await write();
    if (status !== 201) await sleep(250);
  }
  assert.equal(status, 201, 'writes succeed again without restarting the web server');
  t.diagnostic(`writes resumed ${Date.now() - resumedFrom} ms after promote returned`);

  const onWriter = await connectMysql(own.info, {
    instance: writer,
    database: own.info.mysql.database,
  });
  t.after(() => onWriter.end());
  const ids = [...acked.values()];
  const [found] = await onWriter.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM posts WHERE id IN (${ids.map(() => '?').join(',')})`,
    ids,
  );
  assert.equal(Number(found?.[0]?.n), acked.size, 'every acknowledged post is on the new writer');

  // The old primary comes back writable (its config has no read_only) with the old record: fenced.
  await startService(stackFile, 'mysql-primary');
  let back = false;
  for (let i = 0; i < 100 && !back; i++) {
    back = await connectMysql(own.info).then(
      async (c) => {
        await c.end();
        return true;
      },
      () => false,
    );
    if (!back) await sleep(200);
  }
  assert.ok(back, 'the old primary answers again');
  await sleep(2500); // two polls of the writer watch
  const before = acked.size;
  for (let i = 0; i < 5; i++) assert.equal(await write(), 201);
  assert.equal(acked.size, before + 5);
  const old = await connectMysql(own.info, { database: own.info.mysql.database });
  t.after(() => old.end());
  const lastIds = [...acked.values()].slice(-5);
  const [onOld] = await query(
    old,
    `SELECT COUNT(*) AS n FROM posts WHERE id IN (${lastIds.join(',')})`,
  ).then((rows) => rows);
  assert.equal(Number(onOld?.n), 0, 'no write reached the fenced old primary');
  const [rows] = await onWriter.query<RowDataPacket[]>(
    'SELECT epoch, writer_id, fenced FROM scaling_lab_control.topology ORDER BY epoch DESC LIMIT 1',
  );
  assert.equal(Number(rows?.[0]?.epoch), 2, 'the record moved to epoch 2');
  assert.equal(String(rows?.[0]?.fenced), '1', 'naming the old primary (server id 1) as fenced');

  // make rejoin: the old primary becomes a replica of the new writer and serves reads again.
  const rejoined = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(findRepoDir(), 'scripts/rejoin.ts')],
    { env: { ...process.env, STACK_FILE: stackFile }, encoding: 'utf8', timeout: 90_000 },
  );
  t.diagnostic(rejoined.stdout);
  assert.equal(rejoined.status, 0, rejoined.stderr || rejoined.stdout);
  assert.match(rejoined.stdout, /no errant transactions/);
  assert.equal(await write(), 201);
  const newest = [...acked.values()].at(-1);
  let replicated = 0;
  for (let i = 0; i < 50 && replicated === 0; i++) {
    const [r] = await query(old, `SELECT COUNT(*) AS n FROM posts WHERE id = ${newest}`);
    replicated = Number(r?.n);
    if (replicated === 0) await sleep(100);
  }
  assert.equal(replicated, 1, 'a write on the new writer reaches the rejoined old primary');
  const [ro] = await query(old, 'SELECT @@read_only AS ro');
  assert.equal(Number(ro?.ro), 1, 'the rejoined old primary is read-only');
  const [after] = await onWriter.query<RowDataPacket[]>(
    'SELECT epoch, fenced FROM scaling_lab_control.topology ORDER BY epoch DESC LIMIT 1',
  );
  assert.equal(Number(after?.[0]?.epoch), 3);
  assert.equal(String(after?.[0]?.fenced), '', 'nothing is fenced any more');
});
