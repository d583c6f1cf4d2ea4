/**
 * Where everything of a native stack lives under its stack directory. Pure: one place that knows
 * the layout, used by the runner, `down`, recovery and the test helpers.
 *
 *   <stackDir>/stack.json              the running stack, for tools
 *   <stackDir>/runner.pid              the runner that owns the stack (a lock)
 *   <stackDir>/runner.sock             the runner's control socket (stop/start/restart, scale a pool)
 *   <stackDir>/pools/<pool>.members    AUTOSCALE=on: the servers of a scaled pool, read by the LB
 *   <stackDir>/secrets/<name>          random secrets, 0600, made once
 *   <stackDir>/mysql-template/data     a pristine MariaDB datadir, copied for each instance
 *   <stackDir>/<service>/              one folder per instance: data/, log, pid, tmp/, ...
 */
import { join } from 'node:path';

/**
 * Where tools (seed, load, promote, ...) find the running stack unless STACK_FILE says: in the
 * stack directory `make local` used (STACK_DIR, default `.stack`).
 */
export const defaultStackFile = (env: Readonly<Record<string, string | undefined>>): string =>
  join(env.STACK_DIR || '.stack', 'stack.json');

export interface StackPaths {
  readonly stackDir: string;
  readonly stackFile: string;
  readonly runnerPidFile: string;
  readonly controlSocket: string;
  readonly secretsDir: string;
  readonly mysqlTemplate: InstancePaths;
}

export interface InstancePaths {
  readonly dir: string;
  readonly data: string;
  readonly log: string;
  readonly pidFile: string;
  readonly tmp: string;
  /** Written only after the data directory was fully initialised. */
  readonly marker: string;
  readonly socket: string;
  readonly mysqlPidFile: string;
  readonly initSql: string;
}

export const MYSQL_TEMPLATE = 'mysql-template';
/** Folders under the stack directory that are not service instances. */
export const NOT_INSTANCES = new Set(['secrets', MYSQL_TEMPLATE]);

export function instancePaths(stackDir: string, name: string): InstancePaths {
  const dir = join(stackDir, name);
  return {
    dir,
    data: join(dir, 'data'),
    log: join(dir, 'log'),
    pidFile: join(dir, 'pid'),
    tmp: join(dir, 'tmp'),
    marker: join(dir, '.initialised'),
    socket: join(dir, 'mysqld.sock'),
    mysqlPidFile: join(dir, 'mysqld.pid'),
    initSql: join(dir, 'init.sql'),
  };
}

export function stackPaths(stackDir: string): StackPaths {
  return {
    stackDir,
    stackFile: join(stackDir, 'stack.json'),
    runnerPidFile: join(stackDir, 'runner.pid'),
    controlSocket: join(stackDir, 'runner.sock'),
    secretsDir: join(stackDir, 'secrets'),
    mysqlTemplate: instancePaths(stackDir, MYSQL_TEMPLATE),
  };
}

/** Unix socket paths are limited to 107 bytes on Linux. */
export const MAX_SOCKET_PATH = 107;
