/**
 * `make bench-shards` settings, parsed once from the environment with every bad variable named.
 * Bounded: at most 8 stacks (BENCH_SHARDS plus the timeline run), each ramped for at most
 * (RAMP_MAX_STEPS + RAMP_REFINE) × STEP_SECONDS and read for FEED_SECONDS twice.
 */
import {
  ConfigError,
  decimal,
  type Env,
  field,
  integer,
  list,
  parseEnv,
} from '../../services/shared/config/env.ts';
import { benchStackFields, portBaseProblem, rampFields } from '../core/ramp-config.ts';

const schema = {
  /** Shard servers per run; 1 is the unsharded stack (one primary), the anchor of the ratios. */
  BENCH_SHARDS: field(list(integer(1, 8)), [1, 2, 4]),
  /** The fixed CPU quota of every database box: the write tier is the bottleneck on purpose. */
  BENCH_DB_BOX_CPUS: field(decimal(0.1, 64), 0.1),
  /** Each web box's quota, and the write-API servers: enough for the largest run's writes. */
  BENCH_BOX_CPUS: field(decimal(0.1, 64), 0.5),
  BENCH_WRITE_API_REPLICAS: field(integer(1, 8), 2),
  /** Writers per run, as many on every shard server; the writes rotate through them. */
  BENCH_WRITERS: field(integer(2, 64), 8),
  /** The feed comparison runs on stacks with this many shard servers, scatter and timeline. */
  FEED_SHARDS: field(integer(2, 8), 2),
  /** The write tier alone (direct.ts): closed loops per database server, and for how long. */
  DIRECT_CONNECTIONS: field(integer(1, 32), 4),
  DIRECT_SECONDS: field(integer(0, 120), 15),
  FEED_RATE: field(integer(1, 5000), 40),
  FEED_SECONDS: field(integer(2, 120), 10),
  ...rampFields({ start: 5, maxSteps: 10, refineMax: 5, refine: 2 }),
  ...benchStackFields(),
};

export type ShardBenchConfig = ReturnType<typeof parseEnv<typeof schema>>;

export function parseShardBenchConfig(env: Env): ShardBenchConfig {
  const config = parseEnv(env, schema);
  const problems: string[] = [];
  if (!config.BENCH_SHARDS.includes(1))
    problems.push('BENCH_SHARDS must include 1: the unsharded run is the anchor of every ratio');
  if (config.BENCH_SHARDS.length > 6) problems.push('BENCH_SHARDS: at most 6 runs');
  const portBase = portBaseProblem(config.BENCH_PORT_BASE);
  if (portBase !== undefined) problems.push(portBase);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The flags of one run's stack: the write tier as the only bottleneck, nothing else running. */
export function runFlags(
  c: ShardBenchConfig,
  shards: number,
  feed: 'scatter' | 'timeline',
): Record<string, string> {
  return {
    STAGE: '4',
    SHARDS: String(shards),
    ...(shards > 1 ? { FEED: feed } : {}),
    // No replicas, no cache, no CDN: every write costs the write tier only, and the few cores
    // go to the shard servers and the web servers in front of them.
    DB_REPLICAS: '0',
    READ_FROM: 'primary',
    CACHE: 'off',
    CDN: 'off',
    WEB_REPLICAS: '1',
    READ_API_REPLICAS: '1',
    WRITE_API_REPLICAS: String(c.BENCH_WRITE_API_REPLICAS),
    BOX_CPUS: String(c.BENCH_BOX_CPUS),
    DB_BOX_CPUS: String(c.BENCH_DB_BOX_CPUS),
    // Every ramp step logs its writers in again; the default limits would refuse most of that.
    RATE_LIMIT_SIGNUP_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
  };
}
