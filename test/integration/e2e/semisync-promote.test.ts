/**
 * DB_SEMISYNC=on (MariaDB's semi-sync, AFTER_SYNC): the replication links are cut for a second
 * while 8 writers keep posting (relays that drop what the primary sends: a partition), the
 * primary is killed with SIGKILL and the most advanced replica is promoted. Every write
 * acknowledged to a client is on the new writer once, none twice: while no replica had a commit,
 * the primary did not acknowledge it. Without semi-sync the same run loses the writes acknowledged
 * during the partition (`make bench-db ARGS=failover` shows both).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { runFailover } from '../../../loadtest/bench-db/failover.ts';
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
});
