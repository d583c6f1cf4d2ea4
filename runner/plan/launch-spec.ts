/**
 * The command line and environment of every process the runner starts. Pure: from a planned
 * instance and the machine facts (binary paths, whether we are root) to a LaunchSpec. Server
 * options live in infra/ config files shared with compose; only what is native-specific (paths,
 * address, port, server id, user) is added here.
 */
import { join } from 'node:path';
import { isMariadb } from '../../services/shared/topology/addresses.ts';
import { type PlannedService, STACK_CONSTANTS } from '../../services/shared/topology/plan.ts';
import { instancePaths, stackPaths } from '../host/paths.ts';

export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

export interface Binaries {
  readonly mariadbd: string;
  readonly mariadbInstallDb: string;
  readonly redisServer: string;
  readonly memcached: string;
}

export interface LaunchContext {
  readonly repoDir: string;
  readonly stackDir: string;
  readonly isRoot: boolean;
  /** The Node.js binary that runs the runner; children use the same one. */
  readonly node: string;
  readonly binaries: Binaries;
  readonly logLevel: string;
  /** PATH, HOME: what every child gets besides its own variables. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Settings the user gave for the web servers (WEB_SETTINGS). */
  readonly webEnv?: Readonly<Record<string, string>>;
  /** Settings the user gave for the autoscaler (AUTOSCALER_SETTINGS). */
  readonly autoscalerEnv?: Readonly<Record<string, string>>;
  /** Settings the user gave for the db-monitor (DB_MONITOR_SETTINGS). */
  readonly dbMonitorEnv?: Readonly<Record<string, string>>;
}

/** Every child carries this variable; with the recorded start time it proves a process is ours. */
export const STACK_MARKER = 'SCALING_LAB_STACK';

/** Script each app-level kind runs, relative to the repository. */
export const ENTRY_POINTS = {
  setup: 'dist/services/setup/main.js',
  web: 'dist/services/web/server.js',
  lb: 'dist/services/lb/server.js',
  worker: 'dist/services/worker/server.js',
  cdn: 'dist/services/cdn/server.js',
  'fault-proxy': 'dist/services/fault-proxy/server.js',
  autoscaler: 'dist/services/autoscaler/server.js',
  'db-monitor': 'dist/services/db-monitor/server.js',
  s3: 'dist/runner/s3rver/server.js',
} as const;

const need = (value: number | undefined, what: string): number => {
  if (value === undefined) throw new Error(`the plan gives no ${what}`);
  return value;
};

export const mariadbConfigFile = (repoDir: string, kind: 'mysql-primary' | 'mysql-replica') =>
  join(repoDir, 'infra', 'mariadb', kind === 'mysql-primary' ? 'primary.cnf' : 'replica.cnf');

function mariadb(s: PlannedService, ctx: LaunchContext): Pick<LaunchSpec, 'command' | 'args'> {
  const p = instancePaths(ctx.stackDir, s.name);
  const replica =
    s.kind === 'mysql-replica' ||
    s.kind === 'mysql-shard-replica' ||
    s.kind === 'mysql-function-replica';
  const kind = replica ? 'mysql-replica' : 'mysql-primary';
  return {
    command: ctx.binaries.mariadbd,
    args: [
      // Must come first: only this file is read, never the machine's /etc/mysql.
      `--defaults-file=${mariadbConfigFile(ctx.repoDir, kind)}`,
      `--datadir=${p.data}`,
      `--socket=${p.socket}`,
      `--pid-file=${p.mysqlPidFile}`,
      `--tmpdir=${p.tmp}`,
      `--bind-address=${s.host}`,
      `--port=${need(s.ports.mysql, 'mysql port')}`,
      `--server-id=${need(s.serverId, 'server id')}`,
      // A shard server writes its own GTID domain, so positions from several shards never mix.
      // So does each federated function's primary (FEDERATION=on).
      ...(s.kind === 'mysql-shard' || s.kind === 'mysql-function'
        ? [`--gtid-domain-id=${need(s.serverId, 'server id')}`]
        : []),
      `--init-file=${p.initSql}`,
      ...(ctx.isRoot ? ['--user=root'] : []),
      ...s.serverOptions,
    ],
  };
}

function redis(s: PlannedService, ctx: LaunchContext): Pick<LaunchSpec, 'command' | 'args'> {
  const p = instancePaths(ctx.stackDir, s.name);
  return {
    command: ctx.binaries.redisServer,
    args: [
      join(ctx.repoDir, 'infra', 'redis', 'redis.conf'),
      '--bind',
      s.host,
      '--port',
      String(need(s.ports.redis, 'redis port')),
      '--dir',
      p.data,
      '--daemonize',
      'no',
    ],
  };
}

function memcached(s: PlannedService, ctx: LaunchContext): Pick<LaunchSpec, 'command' | 'args'> {
  return {
    command: ctx.binaries.memcached,
    args: [
      '--listen',
      s.host,
      '--port',
      String(need(s.ports.memcached, 'memcached port')),
      '--udp-port',
      '0',
      '--memory-limit',
      '64',
      '--conn-limit',
      '1024',
      ...(ctx.isRoot ? ['--user', 'root'] : []),
    ],
  };
}

/** Variables of the processes the runner adds to the plan's own. */
function extraEnv(s: PlannedService, ctx: LaunchContext): Record<string, string> {
  // The autoscaler acts through this runner: its control socket starts and stops web servers.
  if (s.kind === 'autoscaler')
    return { AUTOSCALE_ACTUATOR: `runner:${stackPaths(ctx.stackDir).controlSocket}` };
  if (s.kind !== 's3') return {};
  const p = instancePaths(ctx.stackDir, s.name);
  return {
    S3RVER_HOST: s.host,
    S3RVER_PORT: String(need(s.ports.s3, 's3 port')),
    S3RVER_DIR: p.data,
    S3_ACCESS_KEY_ID: STACK_CONSTANTS.s3AccessKeyId,
    S3_SECRET_ACCESS_KEY_FILE: join(ctx.stackDir, 'secrets', 's3-secret-access-key'),
  };
}

/** How to start instance `s` natively. */
export function launchSpec(s: PlannedService, ctx: LaunchContext): LaunchSpec {
  const env = {
    ...ctx.baseEnv,
    ...s.env,
    ...(s.kind === 'web' ? ctx.webEnv : {}),
    ...(s.kind === 'autoscaler' ? ctx.autoscalerEnv : {}),
    ...(s.kind === 'db-monitor' ? ctx.dbMonitorEnv : {}),
    ...extraEnv(s, ctx),
    LOG_LEVEL: ctx.logLevel,
    [STACK_MARKER]: ctx.stackDir,
  };
  const node = (script: string) => ({ command: ctx.node, args: [join(ctx.repoDir, script)] });
  const base = { env, cwd: ctx.repoDir };
  if (isMariadb(s.kind)) return { ...base, ...mariadb(s, ctx) };
  switch (s.kind) {
    case 'redis':
      return { ...base, ...redis(s, ctx) };
    case 'memcached':
      return { ...base, ...memcached(s, ctx) };
    case 's3':
      return { ...base, ...node(ENTRY_POINTS.s3) };
    case 'setup':
      return { ...base, ...node(ENTRY_POINTS.setup) };
    case 'web':
      return { ...base, ...node(ENTRY_POINTS.web) };
    case 'lb':
      return { ...base, ...node(ENTRY_POINTS.lb) };
    case 'worker':
      return { ...base, ...node(ENTRY_POINTS.worker) };
    case 'cdn':
      return { ...base, ...node(ENTRY_POINTS.cdn) };
    case 'fault-proxy':
      return { ...base, ...node(ENTRY_POINTS['fault-proxy']) };
    case 'autoscaler':
      return { ...base, ...node(ENTRY_POINTS.autoscaler) };
    case 'db-monitor':
      return { ...base, ...node(ENTRY_POINTS['db-monitor']) };
  }
}

/**
 * Wraps a launch so the process enters a cgroup before it runs: the shell writes its own pid to
 * the cgroup's process list, then execs the real command (same pid, so nothing escapes the quota).
 */
export function inCgroup(spec: LaunchSpec, procsFile: string): LaunchSpec {
  return {
    ...spec,
    command: '/bin/sh',
    args: ['-c', 'echo $$ > "$0" && exec "$@"', procsFile, spec.command, ...spec.args],
  };
}
