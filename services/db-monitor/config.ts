/**
 * The db-monitor's configuration (DB_FAILOVER=auto), parsed once: the MariaDB servers (the same
 * MYSQL_PRIMARY / MYSQL_REPLICAS the web servers get; names follow their order), the root and
 * replication accounts a promotion needs, how long the writer must be unreachable before a
 * promotion, and its own health/metrics listener.
 */
import {
  ConfigError,
  type Env,
  field,
  hostPort,
  integer,
  list,
  oneOf,
  parseEnv,
  secret,
  text,
} from '../shared/config/env.ts';
import type { DbTier } from '../shared/db/promotion/promote.ts';
import { LOG_LEVELS } from '../shared/logger.ts';

const IDENTIFIER = text(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and _ (at most 64)');

const schema = {
  HOST: field(text(), '127.0.0.1'),
  PORT: field(integer(0, 65535), 8280),
  MYSQL_PRIMARY: field(hostPort),
  MYSQL_REPLICAS: field(list(hostPort), []),
  MYSQL_ROOT_USER: field(IDENTIFIER, 'root'),
  MYSQL_ROOT_PASSWORD: secret(text()),
  MYSQL_REPLICATION_USER: field(IDENTIFIER, 'replicator'),
  MYSQL_REPLICATION_PASSWORD: secret(text()),
  /** `off` (compose runs the service at every stage): it watches and reports, and acts on nothing. */
  DB_FAILOVER: field(oneOf(['off', 'auto']), 'off'),
  /** How long the writer must be unreachable before a replica is promoted. */
  DB_FAILOVER_AFTER_MS: field(integer(1000, 600_000), 10_000),
  /** How often every server is asked for its state. */
  DB_MONITOR_INTERVAL_MS: field(integer(200, 60_000), 1000),
  LOG_LEVEL: field(oneOf(LOG_LEVELS), 'info'),
} as const;

export interface DbMonitorConfig {
  readonly host: string;
  readonly port: number;
  readonly tier: DbTier;
  /** DB_FAILOVER=auto: it promotes and fences; off: it only watches. */
  readonly acts: boolean;
  readonly failoverAfterMs: number;
  readonly intervalMs: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

export function loadDbMonitorConfig(env: Env): DbMonitorConfig {
  const raw = parseEnv(env, schema);
  if (raw.MYSQL_REPLICAS.length === 0)
    throw new ConfigError([
      'MYSQL_REPLICAS is empty: the db-monitor promotes a replica, and there is none',
    ]);
  const servers = [raw.MYSQL_PRIMARY, ...raw.MYSQL_REPLICAS].map((a, i) => ({
    name: i === 0 ? 'mysql-primary' : `mysql-replica-${i}`,
    host: a.host,
    port: a.port,
    serverId: 0,
  }));
  return Object.freeze({
    host: raw.HOST,
    port: raw.PORT,
    tier: {
      servers,
      rootUser: raw.MYSQL_ROOT_USER,
      rootPassword: raw.MYSQL_ROOT_PASSWORD,
      replicationUser: raw.MYSQL_REPLICATION_USER,
      replicationPassword: raw.MYSQL_REPLICATION_PASSWORD,
    },
    acts: raw.DB_FAILOVER === 'auto',
    failoverAfterMs: raw.DB_FAILOVER_AFTER_MS,
    intervalMs: raw.DB_MONITOR_INTERVAL_MS,
    logLevel: raw.LOG_LEVEL,
  });
}
