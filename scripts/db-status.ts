/**
 * `make db-status`: the MariaDB tier of a running native stack (found through its stack.json) at a
 * glance: which server is writable, GTID positions, replication, the posts engine and the query
 * cache counters. Read-only: it changes nothing.
 */

import { readFileSync } from 'node:fs';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { defaultStackFile } from '../runner/host/paths.ts';
import { readStackFile } from '../runner/stack/read-stack.ts';
import type { StackFile, StackService } from '../runner/stack/stack-file.ts';
import { ConfigError, field, parseEnv, text } from '../services/shared/config/env.ts';
import { QCACHE_STATUS_SQL, QCACHE_TYPE_SQL, qcacheFigures } from '../services/shared/db/qcache.ts';
import { formatDbStatus, type ServerStatus, semisyncState } from './db-status/format.ts';

const schema = { STACK_FILE: field(text(), defaultStackFile(process.env)) };
const QUERY_TIMEOUT_MS = 5000;

async function statusOf(stack: StackFile, s: StackService): Promise<ServerStatus> {
  const address = `${s.host}:${String(s.ports.mysql)}`;
  let conn: Awaited<ReturnType<typeof createConnection>> | undefined;
  try {
    conn = await createConnection({
      host: s.host,
      port: s.ports.mysql,
      user: stack.mysql.rootUser,
      password: readFileSync(stack.secrets['mysql-root-password'], 'utf8').trim(),
      connectTimeout: QUERY_TIMEOUT_MS,
    });
    const c = conn;
    const q = async (sql: string, values: string[] = []) =>
      (await c.query<RowDataPacket[]>({ sql, timeout: QUERY_TIMEOUT_MS }, values))[0];
    const [vars] = await q('SELECT @@GLOBAL.read_only AS ro, @@GLOBAL.gtid_binlog_pos AS pos');
    const [qc] = await q(QCACHE_TYPE_SQL);
    const [slave] = await q('SHOW SLAVE STATUS');
    const [engine] = await q(
      'SELECT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [stack.mysql.database, 'posts'],
    );
    const [semi] = await q(
      'SELECT @@GLOBAL.rpl_semi_sync_master_enabled AS master, @@GLOBAL.rpl_semi_sync_slave_enabled AS slave',
    );
    const semiStatus = Object.fromEntries(
      (await q("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_%'")).map((r) => [
        String(r.Variable_name),
        String(r.Value),
      ]),
    );
    const replication =
      slave === undefined
        ? 'not a replica'
        : `from ${String(slave.Master_Host)}:${String(slave.Master_Port)} (io ${String(slave.Slave_IO_Running)}, sql ${String(slave.Slave_SQL_Running)}, ${String(slave.Seconds_Behind_Master ?? '?')} s behind)`;
    return {
      name: s.name,
      address,
      up: {
        readOnly: Number(vars?.ro) === 1,
        gtidBinlogPos: String(vars?.pos ?? ''),
        replication,
        postsEngine: String(engine?.engine ?? '(no table)'),
        semisync: semisyncState(
          { master: Number(semi?.master) === 1, slave: Number(semi?.slave) === 1 },
          semiStatus,
          slave !== undefined,
        ),
        queryCache: { type: String(qc?.type ?? '?'), sizeBytes: Number(qc?.size ?? 0) },
        qcache: qcacheFigures(await q(QCACHE_STATUS_SQL)),
      },
    };
  } catch (error) {
    return { name: s.name, address, error: (error as Error).message };
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  let file: string;
  try {
    file = parseEnv(process.env, schema).STACK_FILE;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`db-status: ${error.message}\n`);
    return 2;
  }
  let stack: StackFile;
  try {
    stack = readStackFile(file);
  } catch (error) {
    process.stderr.write(`db-status: ${(error as Error).message}\n`);
    return 2;
  }
  const servers = stack.services.filter((s) => s.ports.mysql !== undefined);
  const statuses = await Promise.all(servers.map((s) => statusOf(stack, s)));
  process.stdout.write(formatDbStatus(statuses));
  return statuses.every((s) => s.up !== undefined) ? 0 : 1;
}

process.exitCode = await main();
