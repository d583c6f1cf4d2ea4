/**
 * The data stores in compose run with what the native runner gives them (runner/plan/launch-spec.ts): the
 * same infra/ config files, the same server options, the same identities. Expectations come from
 * the runner's own launch specs, so a change there fails here until compose follows.
 */
import { type LaunchContext, launchSpec } from '../../../runner/plan/launch-spec.ts';
import { nativeMariadbOptions } from '../../../services/shared/topology/mariadb-options.ts';
import { type PlannedService, STACK_CONSTANTS } from '../../../services/shared/topology/plan.ts';
import { type Check, type CheckContext, serviceIn } from './context.ts';

const REPO = '/repo';
const RUNNER: LaunchContext = {
  repoDir: REPO,
  stackDir: '/stack',
  isRoot: false,
  node: 'node',
  binaries: {
    mariadbd: 'mariadbd',
    mariadbInstallDb: 'mariadb-install-db',
    redisServer: 'redis-server',
    memcached: 'memcached',
  },
  logLevel: 'info',
  baseEnv: {},
};

/** Options that differ by mode on purpose: where to bind, which user to run as. */
const PER_MODE_OPTIONS: ReadonlySet<string> = new Set(['listen', 'user']);

/** `--name value` and `--name=value` alike, as a map (a bare `--flag` maps to ''). */
export function longOptions(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) out.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (args[i + 1] !== undefined && !args[i + 1]?.startsWith('-'))
      out.set(arg.slice(2), args[++i] ?? '');
    else out.set(arg.slice(2), '');
  }
  return out;
}

const relative = (path: string) => path.replace(`${REPO}/`, '');
const source = (volume: string) => volume.split(':')[0]?.replace(/^\.\//, '') ?? '';

/** The compose volume mounting repository file `file` read-only, if any. */
function mountOf(ctx: CheckContext, name: string, file: string) {
  const v = serviceIn(ctx.resolved, name)?.volumes.find((x) => source(x) === file);
  const [, target = '', mode = ''] = v?.split(':') ?? [];
  return v === undefined ? undefined : { target, readOnly: mode === 'ro' };
}

function configMount(ctx: CheckContext, name: string, file: string, targetOk: RegExp): string[] {
  const mount = mountOf(ctx, name, file);
  const problems: string[] = [];
  if (mount === undefined) problems.push(`does not mount ${file} (the runner's config)`);
  else if (!mount.readOnly || !targetOk.test(mount.target))
    problems.push(`mounts ${file} at ${mount.target}${mount.readOnly ? '' : ' writable'}`);
  if (!ctx.fileExists(file)) problems.push(`${file} does not exist`);
  return problems;
}

/** What the image entrypoint must not be given: setup makes these on the primary only. */
const MARIADB_ACCOUNTS =
  /^(MARIADB|MYSQL)_(USER|PASSWORD|PASSWORD_HASH|DATABASE|REPLICATION_\w+|MASTER_\w+)(_FILE)?$/;

function mariadb(ctx: CheckContext, s: PlannedService): string[] {
  const name = s.composeService;
  const compose = serviceIn(ctx.resolved, name);
  const defaultsFile = launchSpec(s, RUNNER).args[0]?.replace('--defaults-file=', '') ?? '';
  const problems = configMount(
    ctx,
    name,
    relative(defaultsFile),
    /^\/etc\/mysql\/conf\.d\/.+\.cnf$/,
  );
  if (!compose?.command?.includes(`--server-id=${String(s.serverId)}`))
    problems.push(`command does not set --server-id=${String(s.serverId)}`);
  // A shard server's own GTID domain (launch-spec.ts), as the runner passes it.
  for (const option of launchSpec(s, RUNNER).args.filter((a) => a.startsWith('--gtid-domain-id=')))
    if (!compose?.command?.includes(option)) problems.push(`command does not pass ${option}`);
  const raw = serviceIn(ctx.raw, name)?.command ?? [];
  for (const option of s.serverOptions)
    if (!raw.includes(option)) problems.push(`command does not pass ${option}`);
  const resolved = compose?.command ?? [];
  // The size is set by setup in compose (mariadb-options.ts, QUERY_CACHE_BYTES).
  const wanted = nativeMariadbOptions(ctx.plan.flags, s.kind).filter(
    (o) => !o.startsWith('--query-cache-size='),
  );
  for (const option of wanted)
    if (!resolved.includes(option))
      problems.push(`command does not resolve to ${option} as the runner starts it`);
  const setup = ctx.plan.services.find((x) => x.kind === 'setup');
  const rootFile = setup?.env.MYSQL_ROOT_PASSWORD_FILE;
  if (compose?.environment.MARIADB_ROOT_PASSWORD_FILE !== rootFile)
    problems.push(`MARIADB_ROOT_PASSWORD_FILE is not ${String(rootFile)}`);
  for (const key of Object.keys(compose?.environment ?? {}).filter((k) => MARIADB_ACCOUNTS.test(k)))
    problems.push(`${key} makes accounts on every server; setup makes them on the primary only`);
  return problems;
}

function redis(ctx: CheckContext, s: PlannedService): string[] {
  const file = relative(launchSpec(s, RUNNER).args[0] ?? '');
  const problems = configMount(ctx, s.composeService, file, /^\/.+\.conf$/);
  const target = mountOf(ctx, s.composeService, file)?.target;
  const command = serviceIn(ctx.resolved, s.composeService)?.command ?? [];
  if (target !== undefined && command[1] !== target)
    problems.push(`command ${JSON.stringify(command)} does not load ${target}`);
  return problems;
}

function memcached(ctx: CheckContext, s: PlannedService): string[] {
  const want = longOptions(launchSpec(s, RUNNER).args);
  const have = longOptions(serviceIn(ctx.resolved, s.composeService)?.command ?? []);
  return [...new Set([...want.keys(), ...have.keys()])]
    .filter((k) => !PER_MODE_OPTIONS.has(k) && want.get(k) !== have.get(k))
    .map((k) => `--${k} is ${String(have.get(k))}, the runner uses ${String(want.get(k))}`);
}

function s3(ctx: CheckContext, s: PlannedService): string[] {
  const env = serviceIn(ctx.resolved, s.composeService)?.environment ?? {};
  const web = ctx.plan.services.find((x) => x.kind === 'web');
  const want: Record<string, string | undefined> = {
    MINIO_ROOT_USER: STACK_CONSTANTS.s3AccessKeyId,
    MINIO_ROOT_PASSWORD_FILE: web?.env.S3_SECRET_ACCESS_KEY_FILE,
    MINIO_SITE_REGION: STACK_CONSTANTS.s3Region,
  };
  return Object.entries(want)
    .filter(([k, v]) => env[k] !== v)
    .map(([k, v]) => `${k} is ${String(env[k])}, want ${String(v)}`);
}

const BY_KIND: Readonly<Record<string, (ctx: CheckContext, s: PlannedService) => string[]>> = {
  'mysql-primary': mariadb,
  'mysql-replica': mariadb,
  'mysql-shard': mariadb,
  'mysql-shard-replica': mariadb,
  'mysql-function': mariadb,
  'mysql-function-replica': mariadb,
  redis,
  memcached,
  s3,
};

const runnerParity: Check = (ctx) =>
  ctx.expected.flatMap((s) =>
    (BY_KIND[s.kind]?.(ctx, s) ?? []).map((m) => `${s.composeService}: ${m}`),
  );

export const RUNNER_CHECKS: Readonly<Record<string, Check>> = { 'runner-parity': runnerParity };
