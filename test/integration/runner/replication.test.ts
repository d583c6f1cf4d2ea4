/**
 * MariaDB replication on the shared stack: GTID replicas follow the primary, refuse writes, and a
 * row written on the primary is readable on every replica. Re-running the setup service on the
 * bootstrapped stack writes nothing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { findRepoDir } from '../../../runner/host/repo-dir.ts';
import { parseSlaveStatus } from '../../../services/setup/slave-status.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';
import {
  baseStackEnv,
  connectMysql,
  createTestDatabase,
  query,
  readStackFile,
  servicesOfKind,
  waitForReplica,
} from '../../support/stack.ts';

const stack = readStackFile();
const replicas = servicesOfKind(stack, 'mysql-replica');

test('every replica follows the primary with GTID, both threads running, read-only', async () => {
  assert.ok(replicas.length >= 1, 'the shared stack has replicas');
  const primary = servicesOfKind(stack, 'mysql-primary')[0];
  for (const r of replicas) {
    const conn = await connectMysql(stack, { instance: r.name });
    try {
      const status = parseSlaveStatus(await query(conn, 'SHOW SLAVE STATUS'));
      assert.equal(status?.ioRunning, 'Yes', r.name);
      assert.equal(status?.sqlRunning, 'Yes', r.name);
      assert.equal(status?.usingGtid, 'Slave_Pos', r.name);
      assert.equal(status?.masterHost, primary?.host);
      assert.equal(status?.masterPort, primary?.ports.mysql);
      const [vars] = await query(
        conn,
        'SELECT @@GLOBAL.read_only AS ro, @@GLOBAL.server_id AS id, @@GLOBAL.log_bin AS bin',
      );
      assert.equal(Number(vars?.ro), 1);
      assert.equal(Number(vars?.id), r.serverId);
      assert.equal(Number(vars?.bin), 1, 'replicas keep a binlog (promotable)');
    } finally {
      await conn.end();
    }
  }
});

test('a row written on the primary is read back on every replica; replicas refuse writes', async (t) => {
  const db = await createTestDatabase(stack, t);
  const primary = await connectMysql(stack, { as: 'app', database: db.name });
  t.after(() => primary.end());
  await query(primary, 'CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(100)) ENGINE=InnoDB');
  const body = `written at ${new Date().toISOString()}`;
  await primary.execute('INSERT INTO notes (id, body) VALUES (?, ?)', [1, body]);
  for (const r of replicas) {
    await waitForReplica(stack, r.name);
    const conn = await connectMysql(stack, { instance: r.name, as: 'app', database: db.name });
    try {
      const [row] = await query(conn, 'SELECT body FROM notes WHERE id = ?', [1]);
      assert.equal(row?.body, body, `${r.name} has the row`);
      await assert.rejects(
        conn.execute('INSERT INTO notes (id, body) VALUES (?, ?)', [2, 'on a replica']),
        (error: { errno?: number }) => error.errno === 1290,
        `${r.name} refuses the app's writes (read-only)`,
      );
    } finally {
      await conn.end();
    }
  }
});

/** Counters of the statements setup may issue, on every MariaDB instance. */
async function setupCounters(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of [...servicesOfKind(stack, 'mysql-primary'), ...replicas]) {
    const conn = await connectMysql(stack, { instance: s.name });
    try {
      const rows = await query(
        conn,
        "SHOW GLOBAL STATUS WHERE Variable_name REGEXP '^Com_(create_user|alter_user|grant|change_master|start_slave|stop_slave)$'",
      );
      for (const row of rows) out[`${s.name}.${String(row.Variable_name)}`] = String(row.Value);
    } finally {
      await conn.end();
    }
  }
  return out;
}

function runSetup(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(findRepoDir(), 'dist/services/setup/main.js')], {
      env: { ...baseStackEnv(), ...env, LOG_LEVEL: 'info' },
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    child.once('exit', (code) => resolve({ code, out }));
  });
}

test('re-running setup on the bootstrapped stack succeeds and writes nothing', async () => {
  const plan = planStack(resolveFlags(stack.flags), {
    mode: 'native',
    portBase: stack.portBase,
    stackDir: stack.stackDir,
  });
  const setup = plan.services.find((s) => s.kind === 'setup');
  assert.ok(setup);
  // Other test files write to the shared primary meanwhile, so the binlog position moves; the
  // statements setup would issue (CREATE/ALTER USER, GRANT, CHANGE MASTER, START/STOP SLAVE) are
  // issued by nobody else, so their counters must not move.
  const before = await setupCounters();
  assert.ok(Object.keys(before).length >= 6, JSON.stringify(before));
  const result = await runSetup(setup.env);
  assert.equal(result.code, 0, result.out);
  const done = result.out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string; changes?: number })
    .find((r) => r.msg === 'already set up, nothing changed');
  assert.ok(done, `setup reports no changes:\n${result.out}`);
  assert.equal(done.changes, 0);
  assert.deepEqual(await setupCounters(), before);
});
