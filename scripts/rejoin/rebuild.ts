/**
 * Rebuilds a server with errant transactions as a copy of the writer (`REJOIN_REBUILD=true make
 * rejoin`): its app and control databases are dropped, its binlog reset (the errant GTIDs go with
 * it), and a consistent mariadb-dump of the writer (--single-transaction --gtid --master-data,
 * which also sets the GTID position to replicate from) is loaded with sql_log_bin off. Passwords
 * travel in MYSQL_PWD, never on a command line.
 */
import { spawn } from 'node:child_process';
import type { Connection } from 'mysql2/promise';
import type { DbTier } from '../../services/shared/db/promotion/promote.ts';
import { q } from '../../services/shared/db/promotion/promote.ts';
import { CONTROL_DATABASE } from '../../services/shared/db/topology-record.ts';

const DUMP_TIMEOUT_MS = 600_000;

export async function rebuildFrom(
  tier: DbTier,
  writer: { host: string; port: number },
  target: { host: string; port: number; conn: Connection },
  database: string,
): Promise<void> {
  await q(target.conn, 'SET GLOBAL read_only = ON');
  await q(target.conn, 'STOP SLAVE');
  await q(target.conn, 'RESET SLAVE ALL');
  await q(target.conn, 'SET SESSION sql_log_bin = 0');
  await q(target.conn, `DROP DATABASE IF EXISTS \`${database}\``);
  await q(target.conn, `DROP DATABASE IF EXISTS \`${CONTROL_DATABASE}\``);
  await q(target.conn, 'RESET MASTER');
  const env = { ...process.env, MYSQL_PWD: tier.rootPassword };
  const common = (s: { host: string; port: number }) => [
    `--host=${s.host}`,
    `--port=${s.port}`,
    `--user=${tier.rootUser}`,
    '--protocol=TCP',
  ];
  const dump = spawn(
    'mariadb-dump',
    [
      ...common(writer),
      '--single-transaction',
      '--gtid',
      '--master-data=1',
      '--routines',
      '--triggers',
      '--databases',
      database,
      CONTROL_DATABASE,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const load = spawn('mariadb', [...common(target), '--init-command=SET SESSION sql_log_bin = 0'], {
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  dump.stdout.pipe(load.stdin);
  let errors = '';
  dump.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  load.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  const exit = (p: ReturnType<typeof spawn>) =>
    new Promise<number>((resolve) => p.on('close', (code) => resolve(code ?? 1)));
  const timer = setTimeout(() => {
    dump.kill();
    load.kill();
  }, DUMP_TIMEOUT_MS);
  const [d, l] = await Promise.all([exit(dump), exit(load)]).finally(() => clearTimeout(timer));
  if (d !== 0 || l !== 0)
    throw new Error(`the copy from the writer failed (dump ${d}, load ${l}): ${errors.trim()}`);
}
