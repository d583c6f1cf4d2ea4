/**
 * Variables more than one service reads, described once: the MariaDB primary, the S3 store, the
 * queue's Redis and the image limits (the web servers check uploads with them, the thumbnail
 * worker checks again before decoding). Each service spreads these into its own schema.
 */
import type { S3Access } from '../s3-client.ts';
import { DEFAULT_QUEUE_NAME } from '../thumbnails/job.ts';
import { field, hostPort, httpUrl, integer, optional, type Parsed, secret, text } from './env.ts';

const MIB = 1024 * 1024;

export const MYSQL_FIELDS = {
  MYSQL_PRIMARY: field(hostPort),
  MYSQL_USER: field(text(/^\w{1,32}$/, 'a MySQL user name'), 'app'),
  MYSQL_PASSWORD: secret(text()),
  MYSQL_DATABASE: field(text(/^\w{1,64}$/, 'a database name (letters, digits, _)'), 'scaling_lab'),
  MYSQL_POOL_SIZE: field(integer(1, 500), 10),
  MYSQL_CONNECT_TIMEOUT_MS: field(integer(100, 60_000), 2000),
  MYSQL_QUERY_TIMEOUT_MS: field(integer(100, 600_000), 5000),
  MYSQL_ACQUIRE_TIMEOUT_MS: field(integer(10, 60_000), 2000),
  MYSQL_QUEUE_LIMIT: field(integer(1, 100_000), 100),
};

export const S3_FIELDS = {
  S3_ENDPOINT: optional(httpUrl),
  S3_BUCKET: optional(text(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')),
  S3_REGION: field(text(/^[\w-]+$/, 'an AWS region name'), 'us-east-1'),
  S3_ACCESS_KEY_ID: optional(text()),
  S3_SECRET_ACCESS_KEY: optional(text(), { secret: true }),
  S3_TIMEOUT_MS: field(integer(100, 600_000), 10_000),
};

export const REDIS_FIELDS = {
  REDIS_URL: optional(text(/^rediss?:\/\/\S+$/, 'a redis:// URL')),
  REDIS_COMMAND_TIMEOUT_MS: field(integer(50, 60_000), 1000),
  QUEUE_NAME: field(text(/^[\w-]{1,64}$/, 'letters, digits, _ - (at most 64)'), DEFAULT_QUEUE_NAME),
};

export const IMAGE_FIELDS = {
  UPLOAD_MAX_BYTES: field(integer(1024, 1024 * MIB), 10 * MIB),
  IMAGE_MAX_PIXELS: field(integer(1, 1_000_000_000), 40_000_000),
  IMAGE_MAX_FRAMES: field(integer(1, 10_000), 100),
};

type MysqlRaw = Parsed<typeof MYSQL_FIELDS>;

/** What every pool of a service shares (DbTarget options less name, role and address). */
export const mysqlPoolOptions = (c: MysqlRaw) => ({
  user: c.MYSQL_USER,
  password: c.MYSQL_PASSWORD,
  database: c.MYSQL_DATABASE,
  poolSize: c.MYSQL_POOL_SIZE,
  connectTimeoutMs: c.MYSQL_CONNECT_TIMEOUT_MS,
  acquireTimeoutMs: c.MYSQL_ACQUIRE_TIMEOUT_MS,
  queryTimeoutMs: c.MYSQL_QUERY_TIMEOUT_MS,
  queueLimit: c.MYSQL_QUEUE_LIMIT,
});

export interface S3Config extends S3Access {
  readonly endpoint: URL | undefined;
  readonly bucket: string;
  readonly timeoutMs: number;
}

type S3Raw = {
  readonly [K in keyof typeof S3_FIELDS]: (typeof S3_FIELDS)[K] extends {
    parser: { parse: (r: string) => infer T };
  }
    ? T | undefined
    : never;
};

/** The S3 settings, or a problem for each missing variable (`when` says why it is needed). */
export function s3ConfigOf(raw: S3Raw, when: string, problems: string[]): S3Config | undefined {
  const missing = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter(
    (k) => !raw[k],
  );
  for (const name of missing) problems.push(`${name} is required ${when}`);
  if (missing.length > 0) return undefined;
  return {
    endpoint: raw.S3_ENDPOINT,
    bucket: raw.S3_BUCKET ?? '',
    region: raw.S3_REGION ?? 'us-east-1',
    accessKeyId: raw.S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: raw.S3_SECRET_ACCESS_KEY ?? '',
    timeoutMs: raw.S3_TIMEOUT_MS ?? 10_000,
  };
}

/** The parsed variables minus the S3_* ones, which a service keeps only as its `s3` settings. */
export function withoutS3Fields<T extends S3Raw>(raw: T): Omit<T, keyof typeof S3_FIELDS> {
  const rest: Record<string, unknown> = { ...raw };
  for (const name of Object.keys(S3_FIELDS)) delete rest[name];
  return rest as Omit<T, keyof typeof S3_FIELDS>;
}
