/** Names shared by both ways of running the stack: secrets and non-secret identities. */

export const SECRET_NAMES = [
  'mysql-root-password',
  'mysql-password',
  'mysql-replication-password',
  's3-secret-access-key',
  'lb-sticky-secret',
  'web-cookie-secret',
  'cdn-purge-token',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** Names and identities that are not secret and are the same in both modes. */
export const STACK_CONSTANTS = {
  mysqlUser: 'app',
  mysqlDatabase: 'scaling_lab',
  mysqlReplicationUser: 'replicator',
  s3Bucket: 'scaling-lab',
  s3Region: 'us-east-1',
  s3AccessKeyId: 'scalinglab',
  healthPath: '/health/ready',
} as const;

/**
 * Web server settings (see services/web/config.ts) that `make local` passes from the user's
 * environment to every web server, e.g. `make local RATE_LIMIT_LOGIN_PER_MINUTE=0` for a load test
 * that logs in faster than a person would. Each server validates them.
 */
export const WEB_SETTINGS = [
  'RATE_LIMIT_SIGNUP_PER_MINUTE',
  'RATE_LIMIT_LOGIN_PER_MINUTE',
  'PRESSURE_MAX_EVENT_LOOP_DELAY_MS',
  'PRESSURE_MAX_PENDING_HASHES',
  'MYSQL_QUEUE_LIMIT',
  'READ_YOUR_WRITES_TTL_SECONDS',
  'CAUSAL_READ_WAIT_MS',
  'DB_REPLICA_PROBE_INTERVAL_MS',
  'DB_REPLICA_MAX_LATENCY_MS',
  'DB_REPLICA_OUTLIER_FACTOR',
  'DB_REPLICA_OUTLIER_MIN_MS',
  'DB_REPLICA_MAX_LAG_MS',
  'DB_LATENCY_DECAY_MS',
  'IDEMPOTENCY_KEY_TTL_HOURS',
  'DB_MASTER_PROBE_INTERVAL_MS',
  'DB_MASTER_DOWN_AFTER_MS',
  'TIMELINE_LENGTH',
] as const;

/**
 * Autoscaler settings (services/autoscaler/config.ts) that `make local` passes from the user's
 * environment to the autoscaler (AUTOSCALE_MIN and AUTOSCALE_MAX are flags: every service gets
 * them). The autoscaler validates them.
 */
export const AUTOSCALER_SETTINGS = [
  'AUTOSCALE_METRIC',
  'AUTOSCALE_TARGET',
  'AUTOSCALE_TOLERANCE',
  'AUTOSCALE_MAX_STEP',
  'AUTOSCALE_INTERVAL_MS',
  'AUTOSCALE_SCALE_OUT_COOLDOWN_S',
  'AUTOSCALE_SCALE_IN_COOLDOWN_S',
  'AUTOSCALE_STABILISATION_S',
] as const;

/** db-monitor settings (services/db-monitor/config.ts) that `make local` passes to it. */
export const DB_MONITOR_SETTINGS = ['DB_FAILOVER_AFTER_MS', 'DB_MONITOR_INTERVAL_MS'] as const;
