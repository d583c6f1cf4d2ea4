/**
 * The native runner's configuration, parsed once: STAGE and the flags (resolveFlags), where the
 * stack lives, its port base, how it runs, and an optional external S3 endpoint. A bad value stops
 * the runner with a message naming every bad variable.
 */
import { isAbsolute, resolve } from 'node:path';
import {
  boolean,
  ConfigError,
  type Env,
  field,
  httpUrl,
  integer,
  oneOf,
  optional,
  type Parsed,
  parseEnv,
  text,
} from '../../services/shared/config/env.ts';
import { type Flags, resolveFlags } from '../../services/shared/config/flags.ts';
import { LOG_LEVELS } from '../../services/shared/logger.ts';
import { DEFAULT_PORT_BASE } from '../../services/shared/topology/addresses.ts';
import {
  AUTOSCALER_SETTINGS,
  DB_MONITOR_SETTINGS,
  STACK_CONSTANTS,
  WEB_SETTINGS,
} from '../../services/shared/topology/plan.ts';

/** The highest port a stack uses is STACK_PORT_BASE + 900 (the S3 store). */
export const MAX_PORT_BASE = 65535 - 900;

const schema = {
  STACK_DIR: field(text(), '.stack'),
  STACK_PORT_BASE: field(integer(1024, MAX_PORT_BASE), DEFAULT_PORT_BASE),
  STACK_DETACH: field(boolean, false),
  /** A fault proxy between the app processes and the stores, for drills (natively only). */
  FAULT_PROXY: field(oneOf(['off', 'on']), 'off'),
  STACK_LOGS: field(oneOf(['stream', 'quiet']), 'stream'),
  STACK_READY_TIMEOUT_SECONDS: field(integer(5, 900), 90),
  STACK_STOP_GRACE_SECONDS: field(integer(1, 300), 15),
  LOG_LEVEL: field(oneOf(LOG_LEVELS), 'info'),
  S3_ENDPOINT: optional(httpUrl),
  S3_ACCESS_KEY_ID: optional(text()),
  S3_SECRET_ACCESS_KEY: optional(text(), { secret: true }),
  S3_BUCKET: field(
    text(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
    STACK_CONSTANTS.s3Bucket,
  ),
  S3_REGION: field(text(), STACK_CONSTANTS.s3Region),
  PATH: field(text(), '/usr/local/bin:/usr/bin:/bin'),
  HOME: optional(text()),
} as const;

export interface ExternalS3 {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
  readonly region: string;
}

export interface RunnerConfig {
  readonly flags: Flags;
  /** Absolute. */
  readonly stackDir: string;
  readonly portBase: number;
  readonly detach: boolean;
  readonly logs: 'stream' | 'quiet';
  readonly readyTimeoutMs: number;
  readonly stopGraceMs: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly externalS3: ExternalS3 | undefined;
  /** FAULT_PROXY=on: the fault proxy sits between the app processes and the stores. */
  readonly faultProxy: boolean;
  /** Passed to every child: where to find binaries and a home directory. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** WEB_SETTINGS the user set, passed to the web servers. */
  readonly webEnv: Readonly<Record<string, string>>;
  /** AUTOSCALER_SETTINGS the user set, passed to the autoscaler (AUTOSCALE=on). */
  readonly autoscalerEnv: Readonly<Record<string, string>>;
  /** DB_MONITOR_SETTINGS the user set, passed to the db-monitor (DB_FAILOVER=auto). */
  readonly dbMonitorEnv: Readonly<Record<string, string>>;
  /** The repository (working directory of the app processes, root of infra/ and dist/). */
  readonly repoDir: string;
}

function externalS3(c: Parsed<typeof schema>): ExternalS3 | undefined {
  if (c.S3_ENDPOINT === undefined) return undefined;
  const missing = (['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter(
    (n) => c[n] === undefined,
  );
  if (missing.length > 0)
    throw new ConfigError(missing.map((n) => `${n} is required when S3_ENDPOINT is set`));
  return {
    endpoint: c.S3_ENDPOINT.toString().replace(/\/$/, ''),
    accessKeyId: c.S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: c.S3_SECRET_ACCESS_KEY ?? '',
    bucket: c.S3_BUCKET,
    region: c.S3_REGION,
  };
}

const settingsOf = (env: Env, names: readonly string[]): Record<string, string> =>
  Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));

/** Parses the runner's configuration from `env`; `repoDir` anchors relative paths. */
export function parseRunnerConfig(env: Env, repoDir: string): RunnerConfig {
  const problems: string[] = [];
  let flags: Flags | undefined;
  let c: Parsed<typeof schema> | undefined;
  try {
    flags = resolveFlags(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  try {
    c = parseEnv(env, schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || flags === undefined || c === undefined)
    throw new ConfigError(problems);
  const stackDir = isAbsolute(c.STACK_DIR) ? c.STACK_DIR : resolve(repoDir, c.STACK_DIR);
  return Object.freeze({
    flags,
    stackDir,
    portBase: c.STACK_PORT_BASE,
    detach: c.STACK_DETACH,
    logs: c.STACK_LOGS,
    readyTimeoutMs: c.STACK_READY_TIMEOUT_SECONDS * 1000,
    stopGraceMs: c.STACK_STOP_GRACE_SECONDS * 1000,
    logLevel: c.LOG_LEVEL,
    externalS3: externalS3(c),
    faultProxy: c.FAULT_PROXY === 'on',
    baseEnv: { PATH: c.PATH, ...(c.HOME === undefined ? {} : { HOME: c.HOME }) },
    webEnv: settingsOf(env, WEB_SETTINGS),
    autoscalerEnv: settingsOf(env, AUTOSCALER_SETTINGS),
    dbMonitorEnv: settingsOf(env, DB_MONITOR_SETTINGS),
    repoDir,
  });
}
