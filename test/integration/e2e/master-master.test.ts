/**
 * DB_TOPOLOGY=master-master on real MariaDB processes: the two masters replicate from each other
 * (GTID, their own domains, interleaved AUTO_INCREMENT ids that never clash), each user's writes
 * are pinned to one master whichever web server takes them, the conflict pinning avoids happens
 * when it is bypassed, and a master killed with SIGKILL under write load loses no acknowledged
 * write: its users' writes move to the other master, which holds every one of them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { demonstrateConflict } from '../../../loadtest/bench-db/conflict.ts';
import {
  judgeOn,
  runFailback,
  runMasterKill,
  signUpWriters,
} from '../../../loadtest/bench-db/master-master.ts';
import { readStackFile } from '../../../loadtest/drills/stack.ts';
import { startService } from '../../../runner/stack/control.ts';
import { MASTERS, masterOfId } from '../../../services/shared/topology/masters.ts';
import { startOwnStack } from '../../support/own-stack.ts';
import { connectMysql } from '../../support/stack.ts';

const rowsOf = async (db: Connection, sql: string, values: unknown[] = []) =>
  (await db.query<RowDataPacket[]>({ sql, timeout: 30_000 }, values))[0];

/** Waits until `follower` has applied what `source` wrote in `domain`. */
async function caughtUp(source: Connection, follower: Connection, domain: number) {
  const [row] = await rowsOf(source, 'SELECT @@gtid_binlog_pos AS p');
  const pos = String(row?.p ?? '')
    .split(',')
    .filter((p) => p.startsWith(`${domain}-`))
    .join(',');
  if (pos === '') return;
  const [waited] = await rowsOf(follower, 'SELECT MASTER_GTID_WAIT(?, 30) AS r', [pos]);
  assert.equal(Number(waited?.r), 0, `caught up with ${pos}`);
}

test('master-master: replication both ways, pinning, the conflict, a master killed', async (t) => {
  const own = await startOwnStack(t, {
    STAGE: '4',
    WEB_REPLICAS: '2',
    READ_API_REPLICAS: '0',
    WRITE_API_REPLICAS: '0',
    DB_REPLICAS: '1',
    CDN: 'off',
    DB_TOPOLOGY: 'master-master',
    // The test signs up a dozen users from one address in seconds (the limit is for people), on
    // two web servers without the API split and without the CDN (fewer processes: the masters
    // are what is tested); the stage-4 defaults run in the other e2e tests.
    RATE_LIMIT_SIGNUP_PER_MINUTE: '0',
  });
  const [a, b] = await Promise.all(
    MASTERS.map((m) => connectMysql(own.info, { instance: m.name, database: 'scaling_lab' })),
  );
  if (a === undefined || b === undefined) throw new Error('two masters');
  t.after(() => Promise.allSettled([a.end(), b.end()]));
  const masters = [a, b] as const;
  const syncMasters = async () => {
    await caughtUp(a, b, MASTERS[0].gtidDomainId);
    await caughtUp(b, a, MASTERS[1].gtidDomainId);
  };

  await t.test(
    'each master replicates from the other, writable, with its own domain and ids',
    async () => {
      for (const [i, m] of MASTERS.entries()) {
        const db = masters[i] as Connection;
        const other = own.info.services.find((s) => s.name === MASTERS[1 - i]?.name);
        const [status] = await rowsOf(db, 'SHOW SLAVE STATUS');
        assert.equal(status?.Master_Host, other?.host, `${m.name} follows the other master`);
        assert.equal(Number(status?.Master_Port), other?.ports.mysql);
        assert.equal(status?.Slave_IO_Running, 'Yes');
        assert.equal(status?.Slave_SQL_Running, 'Yes');
        assert.equal(status?.Using_Gtid, 'Slave_Pos');
        const [vars] = await rowsOf(
          db,
          'SELECT @@read_only AS ro, @@server_id AS id, @@gtid_domain_id AS domain, @@auto_increment_increment AS inc, @@auto_increment_offset AS off',
        );
        assert.deepEqual(
          [vars?.ro, vars?.id, vars?.domain, vars?.inc, vars?.off].map(Number),
          [0, m.serverId, m.gtidDomainId, 2, m.autoIncrementOffset],
          m.name,
        );
      }
      const replica = await connectMysql(own.info, { instance: 'mysql-replica-1' });
      t.after(() => replica.end());
      const [status] = await rowsOf(replica, 'SHOW SLAVE STATUS');
      assert.equal(
        status?.Master_Host,
        own.info.services.find((s) => s.name === 'mysql-primary')?.host,
      );
    },
  );

  await t.test(
    'ids made on both masters at once never clash, and both end with every row',
    async () => {
      await a.query(
        'CREATE TABLE mm_ids (id INT AUTO_INCREMENT PRIMARY KEY, side CHAR(1) NOT NULL)',
      );
      await syncMasters();
      const insert = (db: Connection, side: string) =>
        Promise.all(
          Array.from({ length: 40 }, () =>
            db.query('INSERT INTO mm_ids (side) VALUES (?)', [side]),
          ),
        );
      await Promise.all([insert(a, 'a'), insert(b, 'b')]);
      await syncMasters();
      for (const db of masters) {
        const rows = await rowsOf(db, 'SELECT id, side FROM mm_ids ORDER BY id');
        assert.equal(rows.length, 80, 'every row on both masters');
        for (const r of rows) assert.equal(r.side, r.id % 2 === 1 ? 'a' : 'b', `id ${r.id}`);
        const [status] = await rowsOf(db, 'SHOW SLAVE STATUS');
        assert.equal(status?.Last_SQL_Errno, 0, 'replication applied everything without an error');
      }
      await a.query('DROP TABLE mm_ids');
    },
  );

  const origins = own.info.services
    .filter((s) => s.kind === 'web')
    .map((s) => `http://${s.host}:${s.ports.http}`);
  const writers = await signUpWriters(origins[0] ?? '', 3, `mm_${Date.now().toString(36)}`);

  await t.test(
    "a user's writes always go to the user's master, through every web server",
    async () => {
      const { request } = await import('undici');
      for (const w of writers)
        for (let i = 0; i < 4; i++) {
          const origin = origins[i % origins.length] ?? '';
          const res = await request(`${origin}/api/posts`, {
            method: 'POST',
            body: JSON.stringify({ body: `pinned ${w.name} ${i}` }),
            headers: { 'content-type': 'application/json', cookie: w.cookie },
          });
          const body = (await res.body.json()) as { id: number };
          assert.equal(res.statusCode, 201);
          assert.equal(res.headers['x-db'], MASTERS[w.home]?.label, `${w.name} via ${origin}`);
          assert.equal(masterOfId(BigInt(body.id)), w.home, `post ${body.id} made on its master`);
        }
      assert.ok(new Set(writers.map((w) => w.home)).size === 2, 'users on both masters');
      await syncMasters();
      const counts = await Promise.all(
        masters.map(
          async (db) =>
            (await rowsOf(db, "SELECT COUNT(*) AS n FROM posts WHERE body LIKE 'pinned %'"))[0]?.n,
        ),
      );
      assert.deepEqual(counts.map(Number), [writers.length * 4, writers.length * 4]);
    },
  );

  await t.test(
    "a new user's first write, homed on the master the sign-up has not reached yet",
    async () => {
      const { request } = await import('undici');
      // Sign-ups are written on mysql-primary; with replication into mysql-primary-2 stopped, the
      // row of a user homed there is missing on its master (lag makes the same, for a moment).
      await rowsOf(b, 'STOP ALL SLAVES');
      try {
        const fresh = await signUpWriters(origins[0] ?? '', 1, `mm_lag_${Date.now().toString(36)}`);
        const w = fresh.find((x) => x.home === 1);
        assert.ok(w !== undefined);
        const res = await request(`${origins[1] ?? ''}/api/posts`, {
          method: 'POST',
          body: JSON.stringify({ body: `before the user row ${w.name}` }),
          headers: { 'content-type': 'application/json', cookie: w.cookie },
        });
        const body = (await res.body.json()) as { id: number };
        assert.equal(res.statusCode, 201, JSON.stringify(body));
        assert.equal(res.headers['x-db'], MASTERS[0].label, 'taken by the master holding the user');
        assert.equal(masterOfId(BigInt(body.id)), 0);
      } finally {
        await rowsOf(b, 'START ALL SLAVES');
      }
      await syncMasters();
    },
  );

  await t.test(
    'the same row written on both masters at once diverges; pinned, it does not',
    async () => {
      const result = await demonstrateConflict(masters, (line) => t.diagnostic(line));
      t.diagnostic(JSON.stringify(result));
      assert.notEqual(result.concurrent[0], result.concurrent[1], 'the masters disagree');
      assert.deepEqual(result.concurrent, [
        'written on mysql-primary-2',
        'written on mysql-primary',
      ]);
      assert.equal(result.pinned[0], result.pinned[1], 'pinned: both masters agree');
      assert.deepEqual(result.duplicateErrno, [1062, 1062], 'replication stops on a duplicate key');
      assert.equal(result.repaired, true);
    },
  );

  await t.test(
    'mysql-primary-2 killed under write load: writes go on, no acknowledged write lost',
    async () => {
      const result = await runMasterKill(
        {
          stackFile: own.stackFile,
          origins,
          writers,
          beforeMs: 3000,
          // Room for a machine loaded 10x over its cores (detection took 4.4 s at load 20).
          afterMs: 10_000,
          partitionMs: 0,
          victim: 1,
        },
        (line) => t.diagnostic(line),
      );
      const { verdict, ...figures } = result;
      t.diagnostic(
        JSON.stringify({ ...figures, lost: verdict.lost, duplicated: verdict.duplicated }),
      );
      assert.ok(
        result.acknowledgedByVictim > 0,
        'mysql-primary-2 acknowledged writes before the kill',
      );
      assert.ok(result.movedToSurvivor > 0, "its users' writes went on, on mysql-primary");
      assert.ok(Number.isFinite(result.writesBackMs));
      assert.deepEqual(verdict.lost, [], 'every acknowledged write is on the survivor');
      assert.deepEqual(verdict.duplicated, []);
      assert.deepEqual(verdict.wrongId, []);
    },
  );

  await t.test(
    'mysql-primary-2 back under write load with retried keys: nothing written twice',
    async () => {
      // Back from the kill first (no load): it takes its users' writes again.
      await startService(own.stackFile, 'mysql-primary-2');
      const homed = writers.find((w) => w.home === 1);
      assert.ok(homed);
      const { request } = await import('undici');
      let back = '';
      for (let i = 0; i < 120 && back !== 'primary-2'; i++) {
        const res = await request(`${origins[0]}/api/posts`, {
          method: 'POST',
          body: JSON.stringify({ body: `failback ${i}` }),
          headers: { 'content-type': 'application/json', cookie: homed.cookie },
        });
        await res.body.dump();
        back = res.statusCode === 201 ? String(res.headers['x-db']) : '';
        if (back !== 'primary-2') await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(back, 'primary-2', 'the restarted master takes its users back');
      // Then paused past DB_MASTER_DOWN_AFTER_MS (2 s) under write load and resumed while its
      // replication from mysql-primary runs 400 ms behind: its users return to it only once it
      // holds what they wrote on mysql-primary meanwhile, up to mysql-primary's position read after
      // they stopped being sent back (two-phase failback). A key mysql-primary acknowledged just
      // before and retried on mysql-primary-2 just after replays instead of writing the post
      // again (and stopping replication on 1062).
      const result = await runFailback(
        {
          stackFile: own.stackFile,
          origins,
          writers,
          returning: 1,
          beforeMs: 1500,
          pauseMs: 3500,
          backWithinMs: 30_000,
          afterMs: 3000,
          retryAfterMs: 150,
          replicationLatencyMs: 400,
        },
        (line) => t.diagnostic(line),
      );
      const { ledger, writtenTwice, ...figures } = result;
      t.diagnostic(JSON.stringify({ ...figures, writtenTwice: writtenTwice.length }));
      assert.ok(result.movedAway > 0, "paused, its users' writes went to mysql-primary");
      assert.ok(result.takenBack > 0, "resumed, it takes its users' writes again");
      assert.ok(result.retries > 0, 'keys were retried');
      assert.deepEqual(writtenTwice, [], 'no retried key written twice');
      const again = await connectMysql(own.info, {
        instance: 'mysql-primary-2',
        database: 'scaling_lab',
      });
      t.after(() => again.end());
      const pair = [a, again] as const;
      // Each applies what the other wrote (bounded: a stopped SQL thread never gets there).
      for (const [i, db] of pair.entries()) {
        const [row] = await rowsOf(pair[1 - i] as Connection, 'SELECT @@gtid_binlog_pos AS p');
        const domain = `${MASTERS[1 - i]?.gtidDomainId}-`;
        const pos = String(row?.p ?? '')
          .split(',')
          .filter((p) => p.startsWith(domain))
          .join(',');
        if (pos !== '') await rowsOf(db, 'SELECT MASTER_GTID_WAIT(?, 15) AS r', [pos]);
      }
      const sqlErrors: string[] = [];
      for (const [i, db] of pair.entries()) {
        const [status] = await rowsOf(db, 'SHOW SLAVE STATUS');
        if (status?.Slave_SQL_Running !== 'Yes' || Number(status?.Last_SQL_Errno) !== 0)
          sqlErrors.push(
            `${MASTERS[i]?.name}: ${status?.Last_SQL_Errno} ${status?.Last_SQL_Error}`,
          );
      }
      assert.deepEqual(sqlErrors, [], 'replication runs on both masters');
      const stack = readStackFile(own.stackFile);
      for (const m of MASTERS) {
        const verdict = await judgeOn(stack, m.name, ledger);
        assert.deepEqual(verdict.duplicated, [], `nothing duplicated on ${m.name}`);
        assert.deepEqual(verdict.lost, [], `every acknowledged write on ${m.name}`);
      }
    },
  );
});
