/**
 * The autoscaler's configuration, parsed once. Bad settings stop it with a message naming every
 * bad variable (min above max, a target that is not positive, an unknown metric).
 */
import {
  ConfigError,
  decimal,
  type Env,
  field,
  integer,
  list,
  oneOf,
  parseEnv,
  text,
} from '../shared/config/env.ts';
import { type Flags, resolveFlags } from '../shared/config/flags.ts';
import { LOG_LEVELS } from '../shared/logger.ts';
import type { Policy } from './policy.ts';

/** What the autoscaler tracks per server: requests in flight (LB), request rate (LB), box CPU. */
export const METRICS = ['inflight', 'rps', 'cpu'] as const;
export type Metric = (typeof METRICS)[number];

const seconds = (fallback: number) => field(integer(0, 86_400), fallback);

const schema = {
  HOST: field(text(), '127.0.0.25'),
  PORT: field(integer(0, 65535), 8270),
  LOG_LEVEL: field(oneOf(LOG_LEVELS), 'info'),
  /** The LB's admin address, whose /stats.json gives per-pool in-flight, requests and latency. */
  LB_ADMIN_URL: field(text(/^https?:\/\/\S+$/, 'an http(s) URL'), 'http://127.0.0.1:8404'),
  /** Where desired counts go: `runner:<control socket>` natively, `docker:<engine socket>` in compose. */
  AUTOSCALE_ACTUATOR: field(text(/^(runner|docker):\S+$/, 'runner:<path> or docker:<path>'), ''),
  AUTOSCALE_POOLS: field(list(text(/^[a-z0-9-]{1,32}$/, 'a pool name')), ['web']),
  AUTOSCALE_MIN: field(integer(1, 32), 1),
  AUTOSCALE_MAX: field(integer(1, 32), 4),
  AUTOSCALE_METRIC: field(text(/^\S+$/, 'a metric name'), 'inflight'),
  AUTOSCALE_TARGET: field(decimal(-1e9, 1e9), 4),
  AUTOSCALE_TOLERANCE: field(decimal(0, 1), 0.1),
  AUTOSCALE_MAX_STEP: field(integer(1, 32), 2),
  AUTOSCALE_INTERVAL_MS: field(integer(100, 600_000), 2000),
  AUTOSCALE_SCALE_OUT_COOLDOWN_S: seconds(10),
  AUTOSCALE_SCALE_IN_COOLDOWN_S: seconds(60),
  AUTOSCALE_STABILISATION_S: seconds(120),
  /** Deadline of each signal read (the LB's stats, a server's CPU). */
  AUTOSCALE_SIGNAL_TIMEOUT_MS: field(integer(100, 60_000), 1500),
  /** Deadline of one scaling action (a start waits for /health/ready, a stop for the drain). */
  AUTOSCALE_ACTUATION_TIMEOUT_MS: field(integer(1000, 900_000), 120_000),
  /** docker actuator: the compose project whose services it scales (docker-compose.yml `name`). */
  AUTOSCALE_COMPOSE_PROJECT: field(
    text(/^[a-z0-9][a-z0-9_-]*$/, 'a compose project name'),
    'scaling-lab',
  ),
  /** docker actuator: how long a leaving container drains before Docker kills it. */
  AUTOSCALE_STOP_GRACE_S: field(integer(1, 600), 15),
  /** A new server slower than this to answer /health/ready is reported as a slow start. */
  AUTOSCALE_SLOW_START_MS: field(integer(100, 600_000), 5000),
};

export interface AutoscalerConfig {
  readonly host: string;
  readonly port: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly lbAdminUrl: string;
  readonly actuator: { readonly kind: 'runner' | 'docker'; readonly path: string };
  readonly pools: readonly string[];
  readonly metric: Metric;
  readonly intervalMs: number;
  readonly signalTimeoutMs: number;
  readonly actuationTimeoutMs: number;
  readonly composeProject: string;
  readonly stopGraceS: number;
  readonly slowStartMs: number;
  readonly policy: Policy;
  /** AUTOSCALE (the stage flag): off, it reports the signals and decides nothing. */
  readonly enabled: boolean;
  /** BOX_CPUS: the CPU quota of one web box, the scale of the `cpu` metric (1 = a full quota). */
  readonly boxCpus: number;
}

function flagsOf(env: Env, problems: string[]): Flags | undefined {
  try {
    return resolveFlags(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // AUTOSCALE_MIN above AUTOSCALE_MAX is reported once, below.
    problems.push(...error.problems.filter((p) => !p.startsWith('AUTOSCALE_MIN (')));
    return undefined;
  }
}

export function loadAutoscalerConfig(env: Env): AutoscalerConfig {
  const raw = parseEnv(env, schema);
  const problems: string[] = [];
  const flags = flagsOf(env, problems);
  if (raw.AUTOSCALE_MIN > raw.AUTOSCALE_MAX)
    problems.push(
      `AUTOSCALE_MIN (${raw.AUTOSCALE_MIN}) must not exceed AUTOSCALE_MAX (${raw.AUTOSCALE_MAX})`,
    );
  if (raw.AUTOSCALE_TARGET <= 0)
    problems.push(`AUTOSCALE_TARGET must be above 0 (got ${raw.AUTOSCALE_TARGET})`);
  const metric = METRICS.find((m) => m === raw.AUTOSCALE_METRIC);
  if (metric === undefined)
    problems.push(
      `AUTOSCALE_METRIC=${raw.AUTOSCALE_METRIC} is not a metric: expected one of ${METRICS.join(', ')}`,
    );
  const [kind, ...rest] = raw.AUTOSCALE_ACTUATOR.split(':');
  if (raw.AUTOSCALE_ACTUATOR === '')
    problems.push('AUTOSCALE_ACTUATOR is required: runner:<control socket> or docker:<socket>');
  if (problems.length > 0 || metric === undefined || flags === undefined)
    throw new ConfigError(problems);
  const config: AutoscalerConfig = {
    host: raw.HOST,
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    lbAdminUrl: raw.LB_ADMIN_URL,
    actuator: { kind: kind === 'docker' ? 'docker' : 'runner', path: rest.join(':') },
    pools: raw.AUTOSCALE_POOLS,
    metric,
    intervalMs: raw.AUTOSCALE_INTERVAL_MS,
    signalTimeoutMs: raw.AUTOSCALE_SIGNAL_TIMEOUT_MS,
    actuationTimeoutMs: raw.AUTOSCALE_ACTUATION_TIMEOUT_MS,
    composeProject: raw.AUTOSCALE_COMPOSE_PROJECT,
    stopGraceS: raw.AUTOSCALE_STOP_GRACE_S,
    slowStartMs: raw.AUTOSCALE_SLOW_START_MS,
    enabled: flags.autoscale === 'on',
    boxCpus: flags.boxCpus,
    policy: Object.freeze({
      min: raw.AUTOSCALE_MIN,
      max: raw.AUTOSCALE_MAX,
      target: raw.AUTOSCALE_TARGET,
      tolerance: raw.AUTOSCALE_TOLERANCE,
      maxStep: raw.AUTOSCALE_MAX_STEP,
      scaleOutCooldownMs: raw.AUTOSCALE_SCALE_OUT_COOLDOWN_S * 1000,
      scaleInCooldownMs: raw.AUTOSCALE_SCALE_IN_COOLDOWN_S * 1000,
      stabilisationMs: raw.AUTOSCALE_STABILISATION_S * 1000,
    }),
  };
  return Object.freeze(config);
}
