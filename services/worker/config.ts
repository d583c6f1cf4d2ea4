/**
 * The thumbnail worker's configuration, parsed once at start-up. It reads no stage flags: where a
 * worker runs, THUMBNAILS=queue is on (the topology plans workers only then), and uploads live in
 * the S3 store, which is why the S3_* variables are required.
 */
import { hostname } from 'node:os';
import {
  ConfigError,
  type Env,
  field,
  hostPort,
  integer,
  list,
  oneOf,
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
import { LOG_LEVELS } from '../shared/logger.ts';

const ms = (min: number, max: number, fallback: number) => field(integer(min, max), fallback);

const schema = {
  HOST: field(text(), '127.0.0.1'),
  METRICS_PORT: field(integer(0, 65535), 9100),
  WORKER_ID: field(text(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (at most 64)'), hostname()),
  LOG_LEVEL: field(oneOf(LOG_LEVELS), 'info'),
  ...MYSQL_FIELDS,
  MYSQL_POOL_SIZE: field(integer(1, 100), 4),
  /** The replicas too, so the worker follows a promotion (services/shared/db/writer-watch.ts). */
  MYSQL_REPLICAS: field(list(hostPort), []),
  ...REDIS_FIELDS,
  ...S3_FIELDS,
  ...IMAGE_FIELDS,
  /** Jobs one worker process runs at once (sharp decodes off the event loop). */
  WORKER_CONCURRENCY: field(integer(1, 64), 1),
  /** libvips threads per image: a worker box has one CPU by default, more threads only contend. */
  WORKER_THREADS: field(integer(1, 64), 1),
  WORKER_JOB_TIMEOUT_MS: ms(100, 600_000, 30_000),
  /** How long a job's lock lasts without renewal: a killed worker's job is retried after this. */
  WORKER_LOCK_MS: ms(1000, 600_000, 15_000),
  WORKER_STALLED_CHECK_MS: ms(500, 600_000, 10_000),
  /** Stalls (its worker died mid-job) a job survives before it fails: a poison image stops. */
  WORKER_MAX_STALLS: field(integer(0, 100), 2),
  WORKER_BACKOFF_BASE_MS: ms(10, 600_000, 1000),
  WORKER_BACKOFF_MAX_MS: ms(10, 3_600_000, 60_000),
  WORKER_SWEEP_INTERVAL_MS: ms(50, 600_000, 1000),
  /** A pending upload this old whose job Redis no longer has (lost data) is queued again. */
  WORKER_REPAIR_AFTER_MS: ms(1000, 86_400_000, 30_000),
  SHUTDOWN_GRACE_MS: ms(0, 600_000, 12_000),
};

type Raw = ReturnType<typeof parseEnv<typeof schema>>;

export interface WorkerConfig extends Omit<Raw, `S3_${string}` | 'REDIS_URL'> {
  readonly REDIS_URL: string;
  readonly s3: S3Config;
}

/** Parses the worker's configuration. Throws one ConfigError naming every bad variable. */
export function loadWorkerConfig(env: Env): WorkerConfig {
  const raw = parseEnv(env, schema);
  const problems: string[] = [];
  if (!raw.REDIS_URL) problems.push('REDIS_URL is required: the job queue lives in Redis');
  const s3 = s3ConfigOf(raw, 'for the thumbnail worker (uploads live in the S3 store)', problems);
  if (raw.WORKER_BACKOFF_MAX_MS < raw.WORKER_BACKOFF_BASE_MS)
    problems.push('WORKER_BACKOFF_MAX_MS must be at least WORKER_BACKOFF_BASE_MS');
  if (problems.length > 0 || s3 === undefined || !raw.REDIS_URL) throw new ConfigError(problems);
  return Object.freeze({ ...withoutS3Fields(raw), REDIS_URL: raw.REDIS_URL, s3 });
}
