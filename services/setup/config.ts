/**
 * The setup service's configuration, parsed once from the environment the topology plan gives it
 * (plan.ts, `envOf('setup')`): the same variables natively and in compose. Secrets come from
 * `*_FILE`.
 */
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
  secret,
  text,
} from '../shared/config/env.ts';
import { DB_TOPOLOGIES } from '../shared/config/flags.ts';
import { LOG_LEVELS } from '../shared/logger.ts';

const IDENTIFIER = text(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and _ (at most 64)');
const PASSWORD = text(/^[\x21-\x7e]{8,128}$/, 'printable ASCII without spaces, 8–128 characters');

const schema = {
  MYSQL_PRIMARY: field(hostPort),
  MYSQL_PRIMARY_2: optional(hostPort),
  MYSQL_REPLICAS: field(list(hostPort), []),
  MYSQL_SHARDS: field(list(hostPort), []),
  MYSQL_SHARD_REPLICAS: field(groups(list(hostPort)), []),
  // FEDERATION=on: the function primaries and their replicas, bootstrapped like shard servers.
  MYSQL_POSTS: optional(hostPort),
  MYSQL_POSTS_REPLICAS: field(list(hostPort), []),
  MYSQL_MEDIA: optional(hostPort),
  MYSQL_MEDIA_REPLICAS: field(list(hostPort), []),
  MYSQL_DATABASE: field(IDENTIFIER, 'scaling_lab'),
  MYSQL_USER: field(IDENTIFIER, 'app'),
  MYSQL_PASSWORD: secret(PASSWORD),
  MYSQL_ROOT_USER: field(IDENTIFIER, 'root'),
  MYSQL_ROOT_PASSWORD: secret(PASSWORD),
  MYSQL_REPLICATION_USER: field(IDENTIFIER, 'replicator'),
  MYSQL_REPLICATION_PASSWORD: secret(PASSWORD),
  S3_ENDPOINT: optional(httpUrl),
  S3_BUCKET: optional(text(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')),
  S3_REGION: field(text(), 'us-east-1'),
  S3_ACCESS_KEY_ID: optional(text()),
  S3_SECRET_ACCESS_KEY: optional(text(), { secret: true }),
  SETUP_TIMEOUT_SECONDS: field(integer(1, 3600), 90),
  DB_QUERY_CACHE: field(oneOf(['off', 'on']), 'off'),
  DB_TOPOLOGY: field(oneOf(DB_TOPOLOGIES), 'primary-replicas'),
  LOG_LEVEL: field(oneOf(LOG_LEVELS), 'info'),
} as const;

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface S3Target {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SetupConfig {
  readonly primary: Endpoint;
  /**
   * DB_TOPOLOGY=master-master: the second master. It and the primary replicate from each other;
   * the replicas follow the primary.
   */
  readonly secondMaster: Endpoint | undefined;
  readonly replicas: readonly Endpoint[];
  /**
   * SHARDS above 1: the shard primaries, each bootstrapped like the primary; with FEDERATION=on
   * also the function primaries (mysql-posts, mysql-media), the same way.
   */
  readonly shards: readonly Endpoint[];
  /** Each shard server's replicas (MYSQL_SHARDS's order), made to follow their shard server. */
  readonly shardReplicas: readonly (readonly Endpoint[])[];
  readonly database: string;
  readonly app: { readonly user: string; readonly password: string };
  readonly root: { readonly user: string; readonly password: string };
  readonly replication: { readonly user: string; readonly password: string };
  readonly s3: S3Target | undefined;
  readonly timeoutMs: number;
  /** DB_QUERY_CACHE: with `on`, every server's query cache gets QUERY_CACHE_BYTES. */
  readonly queryCache: 'off' | 'on';
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

export function parseSetupConfig(env: Env): SetupConfig {
  const c = parseEnv(env, schema);
  if (c.MYSQL_SHARD_REPLICAS.length > 0 && c.MYSQL_SHARD_REPLICAS.length !== c.MYSQL_SHARDS.length)
    throw new ConfigError([
      `MYSQL_SHARD_REPLICAS needs one group per shard server (${c.MYSQL_SHARDS.length}), has ${c.MYSQL_SHARD_REPLICAS.length}`,
    ]);
  let s3: S3Target | undefined;
  if (c.S3_ENDPOINT !== undefined) {
    const missing = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter(
      (name) => c[name] === undefined,
    );
    if (missing.length > 0)
      throw new ConfigError(missing.map((name) => `${name} is required when S3_ENDPOINT is set`));
    s3 = {
      endpoint: c.S3_ENDPOINT.toString().replace(/\/$/, ''),
      bucket: c.S3_BUCKET ?? '',
      region: c.S3_REGION,
      accessKeyId: c.S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: c.S3_SECRET_ACCESS_KEY ?? '',
    };
  }
  const functions = [
    { primary: c.MYSQL_POSTS, replicas: c.MYSQL_POSTS_REPLICAS },
    { primary: c.MYSQL_MEDIA, replicas: c.MYSQL_MEDIA_REPLICAS },
  ].flatMap((f) => (f.primary === undefined ? [] : [{ primary: f.primary, replicas: f.replicas }]));
  if (c.DB_TOPOLOGY === 'master-master' && c.MYSQL_PRIMARY_2 === undefined)
    throw new ConfigError(['MYSQL_PRIMARY_2 is required when DB_TOPOLOGY=master-master']);
  return Object.freeze({
    primary: c.MYSQL_PRIMARY,
    secondMaster: c.DB_TOPOLOGY === 'master-master' ? c.MYSQL_PRIMARY_2 : undefined,
    replicas: c.MYSQL_REPLICAS,
    shards: [...c.MYSQL_SHARDS, ...functions.map((f) => f.primary)],
    shardReplicas: [
      ...c.MYSQL_SHARDS.map((_, i) => c.MYSQL_SHARD_REPLICAS[i] ?? []),
      ...functions.map((f) => f.replicas),
    ],
    database: c.MYSQL_DATABASE,
    app: { user: c.MYSQL_USER, password: c.MYSQL_PASSWORD },
    root: { user: c.MYSQL_ROOT_USER, password: c.MYSQL_ROOT_PASSWORD },
    replication: { user: c.MYSQL_REPLICATION_USER, password: c.MYSQL_REPLICATION_PASSWORD },
    s3,
    timeoutMs: c.SETUP_TIMEOUT_SECONDS * 1000,
    queryCache: c.DB_QUERY_CACHE,
    logLevel: c.LOG_LEVEL,
  });
}
