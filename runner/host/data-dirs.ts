/**
 * Preparing an instance's directory before it starts. A data directory is reused only if its
 * initialisation finished (marker file); otherwise it is wiped and made again. MariaDB instances
 * are copies of one pristine datadir made once per stack with mariadb-install-db (much faster than
 * initialising each one), with a separate tmpdir each.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { PlannedService } from '../../services/shared/topology/plan.ts';
import { mariadbConfigFile } from '../plan/launch-spec.ts';
import { dataDirAction } from '../process/crash-recovery/ownership.ts';
import { rootInitSql } from './mariadb-init.ts';
import { type InstancePaths, instancePaths, MAX_SOCKET_PATH, stackPaths } from './paths.ts';

const run = promisify(execFile);
const INSTALL_TIMEOUT_MS = 120_000;

export class DataDirError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'DataDirError';
    this.code = code;
  }
}

function wipe(p: InstancePaths): void {
  rmSync(p.marker, { force: true });
  rmSync(p.data, { recursive: true, force: true });
  rmSync(p.tmp, { recursive: true, force: true });
}

export interface MariadbTools {
  readonly installDb: string;
  readonly repoDir: string;
  readonly isRoot: boolean;
}

/** Makes the stack's pristine MariaDB datadir once. Returns its data folder. */
export async function ensureMysqlTemplate(stackDir: string, tools: MariadbTools): Promise<string> {
  const t = stackPaths(stackDir).mysqlTemplate;
  if (dataDirAction(existsSync(t.marker)) === 'reuse') return t.data;
  wipe(t);
  mkdirSync(t.tmp, { recursive: true });
  try {
    await run(
      tools.installDb,
      [
        `--defaults-file=${mariadbConfigFile(tools.repoDir, 'mysql-primary')}`,
        `--datadir=${t.data}`,
        `--tmpdir=${t.tmp}`,
        '--skip-test-db',
        '--skip-log-bin',
        ...(tools.isRoot ? ['--user=root'] : []),
      ],
      { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    wipe(t);
    throw new DataDirError(
      'STACK_ERR_MYSQL_INIT',
      `mariadb-install-db failed: ${String(stderr || stdout || error)
        .trim()
        .split('\n')
        .slice(-5)
        .join(' | ')}`,
    );
  }
  writeFileSync(t.marker, new Date().toISOString());
  return t.data;
}

/** Prepares a MariaDB instance: its datadir (a copy of the template), tmpdir and init file. */
export async function prepareMysql(
  s: PlannedService,
  stackDir: string,
  template: Promise<string>,
  rootPassword: string,
): Promise<void> {
  const p = instancePaths(stackDir, s.name);
  if (Buffer.byteLength(p.socket) > MAX_SOCKET_PATH)
    throw new DataDirError(
      'STACK_ERR_PATH_TOO_LONG',
      `${p.socket} is longer than a Unix socket path may be: use a shorter STACK_DIR`,
    );
  mkdirSync(p.dir, { recursive: true });
  rmSync(p.socket, { force: true });
  rmSync(`${p.socket}.lock`, { force: true });
  rmSync(p.mysqlPidFile, { force: true });
  if (dataDirAction(existsSync(p.marker)) === 'initialise') {
    wipe(p);
    const source = await template;
    // Sparse copy: the redo log is mostly zeros.
    await run('cp', ['-a', '--sparse=always', source, p.data], { timeout: 60_000 });
    writeFileSync(p.marker, new Date().toISOString());
  }
  mkdirSync(p.tmp, { recursive: true });
  writeFileSync(p.initSql, rootInitSql(rootPassword), { mode: 0o600 });
}

/** Every other kind just needs its folders. */
export function prepareFolders(s: PlannedService, stackDir: string): void {
  const p = instancePaths(stackDir, s.name);
  mkdirSync(p.data, { recursive: true });
  if (!existsSync(p.marker)) writeFileSync(p.marker, new Date().toISOString());
}
