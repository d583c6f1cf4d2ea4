/**
 * The web service's configuration: the stage flags plus its own variables, parsed once at start-up
 * from the environment. Variables that only matter for some flag values (S3_* for STORAGE=s3,
 * REDIS_URL for SESSION_STORE=redis or THUMBNAILS=queue) are required exactly when those values
 * are chosen.
 */
import { hostname } from 'node:os';
import {
  ConfigError,
  type Env,
  field,
  groups,
  hostPort,
  httpUrl,
  integer,
  list,
  oneOf,
  optional,
  parseEnv,
  text,
} from '../shared/config/env.ts';
import {
  IMAGE_FIELDS,
  MYSQL_FIELDS,
  REDIS_FIELDS,
  S3_FIELDS,
  type S3Config,
  s3ConfigOf,
  withoutS3Fields,
} from '../shared/config/fields.ts';
import { type Flags, resolveFlags } from '../shared/config/flags.ts';
import { LB_HEALTH_DEFAULTS, noticeTimeMs } from '../shared/lb-health.ts';
import { LOG_LEVELS } from '../shared/logger.ts';
import { MAX_THUMBNAIL_SIZE, MIN_THUMBNAIL_SIZE } from '../shared/thumbnails/job.ts';
import { DEFAULT_TIMELINE_LENGTH } from './timeline/format.ts';
import { trustedProxyEntry } from './trusted-proxies.ts';

const MIB = 1024 * 1024;

const schema = {
  HOST: field(text(), '127.0.0.1'),
  PORT: field(integer(0, 65535), 3000),
  SERVER_ID: field(text(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (at most 64)'), hostname()),
  ROLE: field(oneOf(['all', 'read', 'write']), 'all'),
  LOG_LEVEL: field(oneOf(LOG_LEVELS), 'info'),
  TRUST_PROXY: field(list(trustedProxyEntry), []),

  ...MYSQL_FIELDS,
  MYSQL_REPLICAS: field(list(hostPort), []),
  /** DB_TOPOLOGY=master-master: the second master (db/master-set.ts). */
  MYSQL_PRIMARY_2: optional(hostPort),
  DB_MASTER_PROBE_INTERVAL_MS: field(integer(50, 60_000), 500),
  DB_MASTER_DOWN_AFTER_MS: field(integer(100, 600_000), 2000),
  MYSQL_SHARDS: field(list(hostPort), []),
  /** Each shard server's replicas, in MYSQL_SHARDS's order: `h:p,h:p;h:p,h:p`. */
  MYSQL_SHARD_REPLICAS: field(groups(list(hostPort)), []),
  /** FEDERATION=on: the posts' and the media rows' own primaries and their replicas. */
  MYSQL_POSTS: optional(hostPort),
  MYSQL_POSTS_REPLICAS: field(list(hostPort), []),
  MYSQL_MEDIA: optional(hostPort),
  MYSQL_MEDIA_REPLICAS: field(list(hostPort), []),
  SHARD_MAP_REFRESH_MS: field(integer(100, 600_000), 2000),
  SHARD_READ_TIMEOUT_MS: field(integer(50, 60_000), 1000),
  /** FEED=timeline: how many of the newest posts the timeline keeps (older pages scatter-gather). */
  TIMELINE_LENGTH: field(integer(100, 1_000_000), DEFAULT_TIMELINE_LENGTH),
  /** How long a write to a fenced (moving) logical shard waits for the new map before a 503. */
  SHARD_MOVE_WAIT_MS: field(integer(0, 60_000), 5000),

  MEMCACHED_SERVERS: field(list(hostPort), []),
  MEMCACHED_TIMEOUT_MS: field(integer(10, 10_000), 100),
  CACHE_POST_TTL_SECONDS: field(integer(1, 86_400), 3600),
  CACHE_PAGE_TTL_SECONDS: field(integer(1, 3600), 5),

  ...REDIS_FIELDS,
  ...S3_FIELDS,

  /** CDN=on: the edge's public origin (media and static URLs), its admin origin and purge token. */
  CDN_URL: optional(httpUrl),
  CDN_ADMIN_URL: optional(httpUrl),
  CDN_PURGE_TOKEN: optional(text(/^\S{16,256}$/, 'a token of 16 to 256 non-space characters'), {
    secret: true,
  }),
  CDN_PURGE_TIMEOUT_MS: field(integer(100, 60_000), 2000),

  DATA_DIR: field(text(), './data'),
  SESSION_TTL_SECONDS: field(integer(60, 31_536_000), 86_400),
  SESSION_MEMORY_MAX: field(integer(10, 10_000_000), 100_000),
  PASSWORD_HASH_COST: field(integer(10, 20), 14),
  BODY_LIMIT_BYTES: field(integer(1024, 10 * MIB), 16 * 1024),
  ...IMAGE_FIELDS,
  THUMBNAIL_SIZES: field(list(integer(MIN_THUMBNAIL_SIZE, MAX_THUMBNAIL_SIZE)), [128, 256, 512]),
  THUMBNAIL_SIZE: field(integer(MIN_THUMBNAIL_SIZE, MAX_THUMBNAIL_SIZE), 256),
  READ_YOUR_WRITES_TTL_SECONDS: field(integer(0, 2_592_000), 86_400),
  CAUSAL_READ_WAIT_MS: field(integer(0, 1000), 5),
  /** Slow and lagging replicas are skipped for reads (db/replica-choice.ts); 0 turns it off. */
  DB_REPLICA_PROBE_INTERVAL_MS: field(integer(0, 60_000), 500),
  DB_REPLICA_MAX_LATENCY_MS: field(integer(10, 600_000), 1000),
  DB_REPLICA_OUTLIER_FACTOR: field(integer(2, 1000), 5),
  DB_REPLICA_OUTLIER_MIN_MS: field(integer(1, 600_000), 500),
  DB_REPLICA_MAX_LAG_MS: field(integer(100, 3_600_000), 5000),
  DB_LATENCY_DECAY_MS: field(integer(10, 600_000), 1000),
  COOKIE_SECRET: optional(text(/^\S{16,}$/, 'at least 16 characters'), { secret: true }),
  IDEMPOTENCY_KEY_TTL_HOURS: field(integer(1, 8760), 24),
  IDEMPOTENCY_SWEEP_INTERVAL_SECONDS: field(integer(0, 86_400), 60),
  RATE_LIMIT_SIGNUP_PER_MINUTE: field(integer(0, 1_000_000), 60),
  RATE_LIMIT_LOGIN_PER_MINUTE: field(integer(0, 1_000_000), 600),
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: field(integer(0, 60_000), 1000),
  PRESSURE_MAX_PENDING_HASHES: field(integer(0, 100_000), 32),
  KEEP_ALIVE_TIMEOUT_MS: field(integer(1000, 600_000), 72_000),
  HEADERS_TIMEOUT_MS: field(integer(1000, 600_000), 10_000),
  REQUEST_TIMEOUT_MS: field(integer(1000, 3_600_000), 60_000),
  SHUTDOWN_GRACE_MS: field(integer(0, 600_000), 10_000),
  DRAIN_DELAY_MS: field(integer(0, 60_000), noticeTimeMs(LB_HEALTH_DEFAULTS)),
  READY_PROBE_INTERVAL_MS: field(integer(100, 60_000), 1000),
  READY_PROBE_TIMEOUT_MS: field(integer(100, 60_000), 2000),
  /** How long a starting server waits for the primary (to migrate) before it gives up. */
  STARTUP_DB_WAIT_MS: field(integer(0, 600_000), 60_000),
};

type Raw = ReturnType<typeof parseEnv<typeof schema>>;

export type { S3Config };

export interface WebConfig extends Omit<Raw, `S3_${string}` | 'REDIS_URL'> {
  readonly flags: Flags;
  readonly REDIS_URL: string | undefined;
  readonly s3: S3Config | undefined;
}

/** Parses the web service's configuration. Throws one ConfigError naming every bad variable. */
export function loadWebConfig(env: Env): WebConfig {
  const problems: string[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const flags = attempt(() => resolveFlags(env));
  const raw = attempt(() => parseEnv(env, schema));
  if (flags === undefined || raw === undefined) throw new ConfigError(problems);

  if (flags.sessionStore === 'redis' && !raw.REDIS_URL)
    problems.push('REDIS_URL is required when SESSION_STORE=redis');
  if (flags.feed === 'timeline' && !raw.REDIS_URL)
    problems.push('REDIS_URL is required when FEED=timeline (the timeline lives in Redis)');
  if (flags.thumbnails === 'queue' && !raw.REDIS_URL)
    problems.push('REDIS_URL is required when THUMBNAILS=queue (the job queue lives in Redis)');
  const sizes = raw.THUMBNAIL_SIZES;
  if (sizes.length === 0 || sizes.length > 8 || new Set(sizes).size !== sizes.length)
    problems.push('THUMBNAIL_SIZES needs 1 to 8 different sizes');
  else if (!sizes.includes(raw.THUMBNAIL_SIZE))
    problems.push(
      `THUMBNAIL_SIZE=${raw.THUMBNAIL_SIZE} must be one of THUMBNAIL_SIZES (${sizes.join(',')}): it names the size thumbnailUrl shows`,
    );
  if (flags.cache === 'memcached' && raw.MEMCACHED_SERVERS.length === 0) {
    problems.push('MEMCACHED_SERVERS needs at least one host:port when CACHE=memcached');
  }
  if (flags.readFrom === 'replicas' && raw.MYSQL_REPLICAS.length === 0) {
    problems.push('MYSQL_REPLICAS needs at least one host:port when READ_FROM=replicas');
  }
  const shardServers = flags.shards + flags.shardSpares;
  if (flags.shards > 1 && raw.MYSQL_SHARDS.length !== shardServers)
    problems.push(
      `MYSQL_SHARDS needs ${shardServers} host:port entries when SHARDS=${flags.shards}${flags.shardSpares > 0 ? ` and SHARD_SPARES=${flags.shardSpares}` : ''} (has ${raw.MYSQL_SHARDS.length})`,
    );
  for (const name of ['MYSQL_POSTS', 'MYSQL_MEDIA'] as const) {
    // With SHARDS above 1 the posts are on the shard servers: only mysql-media is federated.
    const needed = flags.federation === 'on' && (name === 'MYSQL_MEDIA' || flags.shards === 1);
    if (needed && raw[name] === undefined)
      problems.push(
        `${name} is required when FEDERATION=on${name === 'MYSQL_POSTS' ? ' with SHARDS=1' : ''}`,
      );
    if (flags.federation === 'on' && !needed && raw[name] !== undefined)
      problems.push(
        `${name} is only for SHARDS=1: with SHARDS above 1 the posts are on the shard servers`,
      );
    // docker-compose.federation.yml without the flag would split nothing but the worker.
    if (flags.federation === 'off' && raw[name] !== undefined)
      problems.push(`${name} is only for FEDERATION=on`);
  }
  if (flags.dbTopology === 'master-master' && raw.MYSQL_PRIMARY_2 === undefined)
    problems.push('MYSQL_PRIMARY_2 is required when DB_TOPOLOGY=master-master');
  if (flags.shards === 1 && raw.MYSQL_SHARDS.length > 0)
    problems.push('MYSQL_SHARDS is only for SHARDS above 1');
  if (
    raw.MYSQL_SHARD_REPLICAS.length > 0 &&
    raw.MYSQL_SHARD_REPLICAS.length !== raw.MYSQL_SHARDS.length
  )
    problems.push(
      `MYSQL_SHARD_REPLICAS needs one group per shard server (${raw.MYSQL_SHARDS.length}), has ${raw.MYSQL_SHARD_REPLICAS.length}`,
    );
  if (raw.DB_REPLICA_OUTLIER_MIN_MS > raw.DB_REPLICA_MAX_LATENCY_MS)
    problems.push(
      'DB_REPLICA_OUTLIER_MIN_MS must not exceed DB_REPLICA_MAX_LATENCY_MS (no replica slower than the maximum could be skipped)',
    );
  if (raw.DB_REPLICA_PROBE_INTERVAL_MS > 0 && raw.DB_REPLICA_PROBE_INTERVAL_MS < 50)
    problems.push('DB_REPLICA_PROBE_INTERVAL_MS must be 0 (off) or at least 50');
  if (raw.DRAIN_DELAY_MS > 0 && raw.SHUTDOWN_GRACE_MS <= raw.DRAIN_DELAY_MS)
    problems.push('SHUTDOWN_GRACE_MS must exceed DRAIN_DELAY_MS: draining comes first');
  const tracksWrites = flags.readFrom === 'replicas' || flags.cache === 'memcached';
  if (tracksWrites && raw.READ_YOUR_WRITES_TTL_SECONDS > 0 && !raw.COOKIE_SECRET) {
    problems.push(
      'COOKIE_SECRET (or COOKIE_SECRET_FILE) is required when READ_FROM=replicas or CACHE=memcached: it seals the read-your-writes cookie (READ_YOUR_WRITES_TTL_SECONDS=0 turns that off)',
    );
  }
  if (flags.cdn === 'on')
    for (const name of ['CDN_URL', 'CDN_ADMIN_URL', 'CDN_PURGE_TOKEN'] as const)
      if (!raw[name])
        problems.push(`${name} is required when CDN=on (the app links to the edge and purges it)`);
  const s3 = flags.storage === 's3' ? s3ConfigOf(raw, 'when STORAGE=s3', problems) : undefined;
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...withoutS3Fields(raw), flags, s3 });
}
