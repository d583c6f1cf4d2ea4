/**
 * `make reshard` against real MariaDB processes (SHARDS=2), while a write load runs:
 *   - logical shards holding load users move from their server to a new, empty one (the spare
 *     of SHARD_SPARES=1), and later back (a merge into an existing server); every post the
 *     load wrote carries an Idempotency-Key in the ledger, and afterwards every acknowledged post
 *     is on exactly one shard server with the id it was answered with (none lost, none twice);
 *   - the moved users' rows are on the target only (the source's copy is cleaned up), the map row
 *     names the target, and reads of their posts and orders answer from it (X-DB);
 *   - the target's replica has the copy when the map flips (the moved user's page, read there);
 *   - the write pause is reported and bounded loosely (its figures are the benchmark's job);
 *   - a move back (merge) that crashes right after fencing the source leaves writes to those
 *     shards refused with 503 WEB_ERR_SHARD_MOVING and Retry-After (never written to the old
 *     copy), and `make reshard` alone finishes it;
 *   - bad input (unknown shard, target = source, another move while one is unfinished) is refused;
 *   - a target replica that never catches up holds the write pause only for the short in-pause
 *     wait (RESHARD_PAUSE_REPLICA_WAIT_MS), not the pre-pause RESHARD_REPLICA_WAIT_MS (3 s here,
 *     set so that the difference shows in a few seconds).
 *
 * Settings changed from the product's defaults, and why: SHARDS=2 is what is under test;
 * CACHE=off so reads reach a database and X-DB names it; DB_REPLICAS=1 (each shard server has one
 * replica, which serves the moved users' reads once the map flips) and one server per pool,
 * because the machine is small; SHARD_SPARES=1 (the default is 0) gives the move a new, empty
 * server; RESHARD_GRACE_MS=4000 (10 s
 * by default) only shortens the wait before cleanup, which is still two map refreshes long.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { Agent } from 'undici';
import { createAccounts } from '../../../loadtest/mixed-load/accounts.ts';
import { startMixedLoad } from '../../../loadtest/mixed-load/load.ts';
import { checkShardedPosts } from '../../../loadtest/reshard/ledger.ts';
import { runReshardScript } from '../../../loadtest/reshard/script.ts';
import { countRows } from '../../../scripts/reshard/copy.ts';
import { shardOfId } from '../../../services/shared/shard/ids.ts';
import { formatShardList } from '../../../services/shared/shard/reshard-plan.ts';
import { headerOf } from '../../support/http.ts';
import { sleep, startOwnStack } from '../../support/own-stack.ts';
import { connectMysql, query } from '../../support/stack.ts';

const FLAGS = {
  STAGE: '4',
  SHARDS: '2',
  CACHE: 'off',
  WEB_REPLICAS: '1',
  READ_API_REPLICAS: '1',
  WRITE_API_REPLICAS: '1',
  DB_REPLICAS: '1',
  SHARD_SPARES: '1',
};
const GRACE = { RESHARD_GRACE_MS: '4000' };

test('make reshard moves logical shards under writes, and back after a crash', async (t) => {
  const stack = await startOwnStack(t, FLAGS);
  const entry = stack.info.entry ?? '';
  const dispatcher = new Agent({ connect: { ca: stack.ca }, keepAliveTimeout: 4000 });
  t.after(() => dispatcher.close());
  const db = (instance: string) =>
    connectMysql(stack.info, { instance, as: 'app', database: stack.info.mysql.database });
  const directory = await db('mysql-primary');
  t.after(() => directory.end());
  const mapOf = async (logical: number) =>
    Number(
      (await query(directory, 'SELECT server FROM shard_map WHERE logical_shard = ?', [logical]))[0]
        ?.server,
    );

  const accounts = await createAccounts(entry, dispatcher, 8);
  const ids = new Map(
    (
      await query(
        directory,
        `SELECT CAST(id AS CHAR) AS id, username FROM users WHERE username IN (${accounts.map(() => '?').join(',')})`,
        accounts.map((a) => a.username),
      )
    ).map((r: RowDataPacket) => [String(r.username), String(r.id)]),
  );
  const logicalOf = (username: string) => shardOfId(BigInt(ids.get(username) ?? '0'));
  // Move every load user's logical shard that server 0 holds (0-127), or server 1's if none.
  const first = accounts.map((a) => logicalOf(a.username));
  const source = first.some((l) => l < 128) ? 0 : 1;
  const moving = [...new Set(first.filter((l) => (source === 0 ? l < 128 : l >= 128)))].sort(
    (a, b) => a - b,
  );
  // The target is the spare (SHARD_SPARES=1): a new, empty server; the merge goes back to source.
  const target = 2;
  assert.deepEqual(stack.info.shards?.spares, ['mysql-shard-3']);
  const held = await query(directory, 'SELECT COUNT(*) AS n FROM shard_map WHERE server = 2');
  assert.equal(Number(held[0]?.n), 0, 'the spare starts with no logical shard');
  const MOVE = formatShardList(moving);
  const movedUsers = accounts.filter((a) => moving.includes(logicalOf(a.username)));
  t.diagnostic(`moving ${MOVE} (${movedUsers.length} of 8 users) to mysql-shard-${target + 1}`);

  await t.test('bad input is refused before anything is touched', async () => {
    const unknown = await runReshardScript(stack.stackFile, { MOVE: '300', TO: '2' });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown logical shard 300/);
    const same = await runReshardScript(stack.stackFile, {
      MOVE,
      TO: `mysql-shard-${source + 1}`,
    });
    assert.equal(same.code, 2);
    assert.match(same.stderr, /the target is (their|its) source/);
    const server = await runReshardScript(stack.stackFile, { MOVE, TO: 'mysql-shard-9' });
    assert.match(server.stderr, /unknown shard server "mysql-shard-9"/);
    assert.equal((await query(directory, 'SELECT COUNT(*) AS n FROM reshard_jobs'))[0]?.n, 0);
  });

  await t.test('a move under a write load loses and duplicates no acknowledged post', async () => {
    const load = await startMixedLoad({
      entry,
      ca: stack.ca,
      accounts,
      thinkMs: 20,
      mix: { feed: 1, anon: 0, read: 1, write: 6, cart: 0, login: 0.2, upload: 0 },
    });
    try {
      await sleep(3000);
      const run = await runReshardScript(stack.stackFile, {
        MOVE,
        TO: String(target + 1),
        ...GRACE,
      });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      t.diagnostic(run.stdout.trim());
      assert.ok(run.result);
      assert.ok(run.result.rowsCopied > 0, 'rows were copied');
      assert.ok(run.result.pauseMs !== undefined && run.result.pauseMs < 30_000, 'pause bounded');
      assert.equal(run.result.mapVersion, 2);
      await sleep(2000);
    } finally {
      await load.stop();
    }
    const verdict = await checkShardedPosts(stack.info, load.ledger);
    t.diagnostic(
      `${verdict.acknowledged} of ${verdict.writes} posts acknowledged, ${verdict.committedUnacknowledged} committed unacknowledged`,
    );
    assert.deepEqual(verdict.lost, []);
    assert.deepEqual(verdict.duplicated, []);
    assert.deepEqual(verdict.wrongId, []);
    const movedKeys = new Set(movedUsers.map((u) => u.username));
    const movedAcked = load.ledger.acknowledged('post').filter((e) => movedKeys.has(e.user));
    assert.ok(movedAcked.length > 0, 'the moved users wrote acknowledged posts');
    const fenced = load.outcomes.filter((o) => o.code === 'WEB_ERR_SHARD_MOVING').length;
    t.diagnostic(`${fenced} writes answered 503 WEB_ERR_SHARD_MOVING during the move`);
    await load.close();

    for (const l of moving) assert.equal(await mapOf(l), target, `logical shard ${l} on target`);
    const src = await db(`mysql-shard-${source + 1}`);
    const dst = await db(`mysql-shard-${target + 1}`);
    try {
      const left = await countRows(src, moving);
      assert.deepEqual(Object.values(left), [0, 0, 0, 0, 0], 'the source copy is cleaned up');
      const moved = await countRows(dst, moving);
      assert.equal(moved.users, movedUsers.length);
      assert.ok((moved.posts ?? 0) >= movedAcked.length);
      const fences = await query(
        src,
        `SELECT COUNT(*) AS n FROM shard_fence WHERE fenced = 1 AND logical_shard IN (${moving.join(',')})`,
      );
      assert.equal(Number(fences[0]?.n), moving.length, 'the old copy stays fenced');
    } finally {
      await Promise.all([src.end(), dst.end()]);
    }
  });

  const mover = movedUsers[0];
  assert.ok(mover);
  const client = stack.client();
  assert.equal((await client.post('/api/sessions', { json: mover })).status, 200);
  const moverId = ids.get(mover.username) ?? '';
  const moverLogical = logicalOf(mover.username);

  await t.test('reads and new writes of a moved user go to the target', async () => {
    const label = `shard-${target + 1};logical=${moverLogical}`;
    const posted = await client.post<{ id: string }>('/api/posts', {
      json: { body: 'after the move' },
      headers: { 'idempotency-key': 'after-move-1' },
    });
    assert.equal(posted.status, 201);
    assert.equal(headerOf(posted, 'x-db'), label);
    const mine = await client.get<{ posts: { id: string; body: string }[] }>(
      `/api/users/${moverId}/posts?limit=50`,
    );
    assert.equal(mine.status, 200);
    // From the target or its replica (the reshard waited for it to apply the copy).
    assert.match(
      headerOf(mine, 'x-db') ?? '',
      new RegExp(`^shard-${target + 1}(/replica-1)?;logical=${moverLogical}$`),
    );
    assert.ok(mine.body.posts.length > 1, 'the posts written before the move are there');
    const one = await client.get<{ body: string }>(`/api/posts/${posted.body.id}`);
    assert.equal(one.body.body, 'after the move');
    assert.equal(
      (await client.post('/api/cart/items', { json: { sku: 'BOOK-001', qty: 1 } })).status,
      200,
    );
    const order = await client.post<{ id: string }>('/api/orders');
    assert.equal(order.status, 201);
    assert.equal(headerOf(order, 'x-db'), label);
  });

  await t.test(
    'a merge back that crashes after the fence: writes wait, a re-run finishes',
    async () => {
      const crashed = await runReshardScript(stack.stackFile, {
        MOVE,
        TO: String(source + 1),
        RESHARD_CRASH_AFTER: 'fenced',
        ...GRACE,
      });
      assert.equal(crashed.code, 3, crashed.stderr + crashed.stdout);
      const [job] = await query(directory, "SELECT phase FROM reshard_jobs WHERE phase <> 'done'");
      assert.equal(job?.phase, 'fenced');
      // The map still names the target, whose copy is fenced: the write waits, then 503.
      const refused = await client.post('/api/posts', {
        json: { body: 'while fenced' },
        headers: { 'idempotency-key': 'while-fenced-1' },
      });
      assert.equal(refused.status, 503);
      assert.equal(
        (refused.body as { error: { code: string } }).error.code,
        'WEB_ERR_SHARD_MOVING',
      );
      assert.equal(headerOf(refused, 'retry-after'), '1');
      // Both servers hold the moving shards' rows now: the feed reads each logical shard once.
      const feed = await client.get<{ posts: { id: string }[]; missingShards?: string[] }>(
        '/api/feed?limit=100',
      );
      assert.equal(feed.status, 200);
      assert.equal(feed.body.missingShards, undefined);
      const ids = feed.body.posts.map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, 'no post twice in the feed');
      assert.ok(ids.length > 50);
      const other = await runReshardScript(stack.stackFile, { MOVE: '200', TO: '1' });
      assert.equal(other.code, 2);
      assert.match(other.stderr, /stopped at "fenced": finish it first/);

      const resumed = await runReshardScript(stack.stackFile, GRACE);
      assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
      assert.equal(resumed.result?.resumedFrom, 'fenced');
      assert.equal(resumed.result?.mapVersion, 3);
      for (const l of moving) assert.equal(await mapOf(l), source, `logical shard ${l} back`);
      const again = await client.post<{ id: string }>('/api/posts', {
        json: { body: 'while fenced' },
        headers: { 'idempotency-key': 'while-fenced-1' },
      });
      assert.equal(again.status, 201);
      assert.equal(headerOf(again, 'x-db'), `shard-${source + 1};logical=${moverLogical}`);
      const home = await db(`mysql-shard-${source + 1}`);
      const away = await db(`mysql-shard-${target + 1}`);
      try {
        const back = await countRows(home, moving);
        assert.equal(back.users, movedUsers.length);
        assert.deepEqual(Object.values(await countRows(away, moving)), [0, 0, 0, 0, 0]);
        const keys = await query(
          home,
          "SELECT COUNT(*) AS n FROM idempotency_keys WHERE idem_key IN ('after-move-1', 'while-fenced-1')",
        );
        assert.equal(Number(keys[0]?.n), 2, 'idempotency keys moved with their shard');
      } finally {
        await Promise.all([home.end(), away.end()]);
      }
      const replay = await client.post<{ id: string }>('/api/posts', {
        json: { body: 'while fenced' },
        headers: { 'idempotency-key': 'while-fenced-1' },
      });
      assert.equal(replay.body.id, again.body.id, 'a retry replays, on the new server');
    },
  );
  await t.test(
    'a target replica that never catches up holds the write pause only RESHARD_PAUSE_REPLICA_WAIT_MS',
    async () => {
      // The spare's replica stops applying: both replica waits run out. Before the pause the
      // wait is RESHARD_REPLICA_WAIT_MS (3 s here, 10 s by default); inside it, the short
      // RESHARD_PAUSE_REPLICA_WAIT_MS (its default, 1 s), so the pause stays under the web's
      // SHARD_MOVE_WAIT_MS (5 s) and no write to the moving shard is refused for it.
      const spareReplica = stack.info.shards?.replicas?.[`mysql-shard-${target + 1}`]?.[0];
      assert.ok(spareReplica !== undefined, 'the spare has a replica');
      const replica = await connectMysql(stack.info, { instance: spareReplica, as: 'root' });
      await replica.query('STOP SLAVE SQL_THREAD');
      try {
        const one = formatShardList([moving[0] ?? 0]);
        const run = await runReshardScript(stack.stackFile, {
          MOVE: one,
          TO: String(target + 1),
          RESHARD_REPLICA_WAIT_MS: '3000',
          ...GRACE,
        });
        assert.equal(run.code, 0, run.stderr + run.stdout);
        assert.match(
          run.stdout,
          /WARNING: 1 of mysql-shard-3's replicas did not reach .* in 1000 ms/,
        );
        assert.ok(run.result?.pauseMs !== undefined, 'paused');
        t.diagnostic(`pause ${run.result?.pauseMs} ms with the target's replica stopped`);
        assert.ok(
          (run.result?.pauseMs ?? 0) < 3000,
          `the pause (${run.result?.pauseMs} ms) did not wait the 3 s pre-pause wait`,
        );
      } finally {
        await replica.query('START SLAVE SQL_THREAD');
        await replica.end();
      }
    },
  );
});
