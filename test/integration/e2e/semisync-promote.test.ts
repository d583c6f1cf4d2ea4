/**
 * DB_SEMISYNC=on (MariaDB's semi-sync, AFTER_SYNC): the replication links are cut for a second
 * while 8 writers keep posting (relays that drop what the primary sends: a partition), the
 * primary is killed with SIGKILL and the most advanced replica is promoted. Every write
 * acknowledged to a client is on the new writer once, none twice: while no replica had a commit,
 * the primary did not acknowledge it. Without semi-sync the same run loses the writes acknowledged
 * during the partition (`make bench-db ARGS=failover` shows both).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { runFailover } from '../../../loadtest/bench-db/failover.ts';
import { findRepoDir } from '../../../runner/host/repo-dir.ts';
import { startService } from '../../../runner/stack/control.ts';
import { startOwnStack } from '../../support/own-stack.ts';
import { connectMysql } from '../../support/stack.ts';

test('semi-sync: replication cut off, kill -9 of the primary, promote: no acknowledged write lost', async (t) => {
  // The promote test's smallest stack with two replicas, plus the flag under test.
  const own = await startOwnStack(t, {
    STAGE: '4',
    WEB_REPLICAS: '1',
    READ_API_REPLICAS: '0',
    WRITE_API_REPLICAS: '0',
    DB_SEMISYNC: 'on',
  });
  const primary = await connectMysql(own.info);
  const [status] = await primary.query<RowDataPacket[]>(
    "SHOW STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_status', 'Rpl_semi_sync_master_clients')",
  );
  await primary.end();
  const value = (name: string) => status.find((r) => r.Variable_name === name)?.Value;
  assert.equal(value('Rpl_semi_sync_master_status'), 'ON', 'the primary runs semi-sync');
  assert.equal(value('Rpl_semi_sync_master_clients'), '2', 'both replicas acknowledge');

  const client = own.client();
  const user = { username: `semi_${Date.now()}`, password: 'semisync-pass-1' };
  assert.equal((await client.post('/api/users', { json: user })).status, 201);
  assert.equal((await client.post('/api/sessions', { json: user })).status, 200);
  const web = own.info.services.find((s) => s.kind === 'web');
  const result = await runFailover(
    {
      stackFile: own.stackFile,
      origin: `http://${web?.host}:${web?.ports.http}`,
      cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      writers: 8,
      beforeMs: 3000,
      afterMs: 2000,
      // Below the 3 s semi-sync timeout (infra/mariadb/*.cnf): the primary waits, it does not
      // fall back to asynchronous replication (past it, acknowledged writes can be lost again).
      partitionMs: 1000,
    },
    (line) => t.diagnostic(line),
  );
  t.diagnostic(JSON.stringify(result));
  assert.ok(result.acknowledgedBeforeKill > 0, 'writes were acknowledged before the kill');
  assert.ok(
    result.acknowledged > result.acknowledgedBeforeKill,
    'writes succeed again on the new writer',
  );
  assert.equal(result.lost, 0, 'no acknowledged write is missing on the new writer');
  assert.equal(result.duplicated, 0, 'no write is there twice');

  // make rejoin: the old primary comes back and becomes a replica of the new writer. Commits that
  // waited for an acknowledgement when it died may be in its binlog (errant): then rejoin reports
  // them and stops, and REJOIN_REBUILD=true replaces its data with a copy of the writer's.
  await startService(own.stackFile, 'mysql-primary');
  const rejoin = (extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(findRepoDir(), 'scripts/rejoin.ts')], {
      env: { ...process.env, STACK_FILE: own.stackFile, ...extra },
      encoding: 'utf8',
      timeout: 120_000,
    });
  let first = rejoin();
  for (let i = 0; i < 20 && /does not answer/.test(first.stderr); i++) {
    await new Promise((r) => setTimeout(r, 500));
    first = rejoin();
  }
  t.diagnostic(first.stdout + first.stderr);
  if (/errant: /.test(first.stdout)) {
    assert.equal(first.status, 1, 'errant transactions stop a plain rejoin');
    const rebuilt = rejoin({ REJOIN_REBUILD: 'true' });
    t.diagnostic(rebuilt.stdout + rebuilt.stderr);
    assert.equal(rebuilt.status, 0, rebuilt.stderr);
  } else assert.equal(first.status, 0, first.stderr);

  const post = await client.post<{ id: number }>('/api/posts', {
    json: { body: 'after rejoin' },
    headers: { 'idempotency-key': `after-rejoin-${Date.now()}` },
  });
  assert.equal(post.status, 201);
  const old = await connectMysql(own.info, { database: own.info.mysql.database });
  t.after(() => old.end());
  let seen = 0;
  for (let i = 0; i < 50 && seen === 0; i++) {
    const [r] = await old.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM posts WHERE id = ?', [
      post.body.id,
    ]);
    seen = Number(r[0]?.n);
    if (seen === 0) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(seen, 1, 'the rejoined old primary replicates the new writer');
  const [mine] = await old.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM posts WHERE body LIKE 'failover ledger %'",
  );
  assert.ok(
    Number(mine[0]?.n) >= result.acknowledged,
    'it holds every acknowledged write of the drill',
  );
});
