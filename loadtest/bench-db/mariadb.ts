/**
 * A private MariaDB server for the engine benchmark (127.0.0.14, STACK_PORT_BASE + 360, the slot
 * reserved for extra MariaDB instances): a fresh datadir with the stack's primary.cnf, the ARCHIVE
 * plugin loaded, no grant tables (nothing but this benchmark can reach it), root over its socket. It can be killed with SIGKILL and started again on the same
 * datadir, and is always stopped and removed at the end.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type Connection } from 'mysql2/promise';
import { findRepoDir } from '../../runner/host/repo-dir.ts';
import { mariadbConfigFile } from '../../runner/plan/launch-spec.ts';

export interface PrivateMariadb {
  readonly dataDir: string;
  connect(database?: string): Promise<Connection>;
  kill9(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.14';

export async function startPrivateMariadb(portBase: number): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'scaling-lab-bench-engines-'));
  const dataDir = join(dir, 'data');
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const cnf = mariadbConfigFile(findRepoDir(), 'mysql-primary');
  const root = process.getuid?.() === 0 ? ['--user=root'] : [];
  execFileSync(
    'mariadb-install-db',
    [
      `--defaults-file=${cnf}`,
      `--datadir=${dataDir}`,
      `--tmpdir=${tmp}`,
      '--skip-test-db',
      ...root,
    ],
    { stdio: 'ignore', timeout: 120_000 },
  );
  const socket = join(dir, 'mysqld.sock');
  let proc: ChildProcess | undefined;
  const connect = (database?: string) =>
    mysql.createConnection({
      socketPath: socket,
      user: 'root',
      ...(database ? { database } : {}),
      connectTimeout: 5000,
    });
  const start = async () => {
    proc = spawn(
      '/usr/sbin/mariadbd',
      [
        `--defaults-file=${cnf}`,
        `--datadir=${dataDir}`,
        `--socket=${socket}`,
        `--tmpdir=${tmp}`,
        `--bind-address=${HOST}`,
        `--port=${portBase + 360}`,
        '--server-id=99',
        '--plugin-load-add=ha_archive',
        // A throw-away server on loopback: no accounts to set up (mysql2 cannot use unix_socket).
        '--skip-grant-tables',
        `--log-error=${join(dir, 'error.log')}`,
        ...root,
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 300; i++) {
      try {
        await (await connect()).end();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    proc.kill('SIGKILL');
    throw new Error(`the private MariaDB did not start in 60 s (see ${join(dir, 'error.log')})`);
  };
  const exited = (p: ChildProcess) =>
    new Promise<void>((resolve) =>
      p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve()),
    );
  try {
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dataDir,
    connect,
    start,
    async kill9() {
      const p = proc;
      if (p === undefined) return;
      p.kill('SIGKILL');
      await exited(p);
    },
    async stop() {
      const p = proc;
      if (p !== undefined && p.exitCode === null && p.signalCode === null) {
        p.kill('SIGTERM');
        const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
        await exited(p);
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
