/**
 * Reads the LB's configuration from the environment (names in services/lb/README.md). The stage
 * flags LB_ALGORITHM and STICKY come from the shared flags module; everything else is LB_*.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import {
  ConfigError,
  decimal,
  type Env,
  field,
  hostPort,
  integer,
  list,
  oneOf,
  optional,
  parseEnv,
  text,
} from '../../shared/config/env.ts';
import { resolveFlags } from '../../shared/config/flags.ts';
import { LOG_LEVELS } from '../../shared/logger.ts';
import { routesParser } from '../routing/rules.ts';
import { poolsParser } from './pools.ts';
import type { LbConfig } from './types.ts';

const port = integer(0, 65535);
const ms = (max = 3_600_000) => integer(0, max);

export const LB_SCHEMA = {
  LB_INSTANCE: field(text(/^[A-Za-z0-9._-]{1,64}$/, 'a short name'), 'lb'),
  LB_HOST: field(text(/^[A-Za-z0-9.:-]+$/, 'an address to bind'), '127.0.0.1'),
  LB_HTTP_PORT: field(port, 80),
  LB_HTTPS_PORT: field(port, 443),
  LB_ADMIN_HOST: optional(text(/^[A-Za-z0-9.:-]+$/, 'an address to bind')),
  LB_ADMIN_PORT: field(port, 8404),
  LB_TLS: field(oneOf(['on', 'off']), 'on'),
  LB_TLS_CERT_FILE: optional(text()),
  LB_TLS_KEY_FILE: optional(text()),
  LB_DATA_DIR: field(text(), '.lb-data'),
  LB_REDIRECT_HTTPS_PORT: optional(integer(1, 65535)),
  LB_HSTS_MAX_AGE: field(integer(0, 63_072_000), 31_536_000),
  LB_POOLS: field(poolsParser),
  LB_ROUTES: field(routesParser, []),
  LB_DEFAULT_POOL: field(text(/^[a-z0-9-]+$/, 'a pool name'), 'web'),
  LB_STICKY_COOKIE: field(text(/^[A-Za-z0-9_]{1,32}$/, 'a cookie name (A-Z a-z 0-9 _)'), 'lb_srv'),
  LB_STICKY_SECRET: optional(text(/^[\s\S]{16,}$/, 'at least 16 characters'), { secret: true }),
  LB_STICKY_MAX_AGE: field(integer(0, 31_536_000), 0),
  LB_HEALTH_PATH: field(text(/^\/[\x21-\x7e]*$/, 'an absolute path'), '/health/ready'),
  LB_HEALTH_INTERVAL_MS: field(ms(), 1000),
  LB_HEALTH_TIMEOUT_MS: field(integer(1, 60_000), 1000),
  LB_HEALTH_RISE: field(integer(1, 100), 2),
  LB_HEALTH_FALL: field(integer(1, 100), 2),
  LB_EJECT_AFTER_FAILURES: field(integer(0, 1000), 5),
  LB_DNS_INTERVAL_MS: field(integer(100, 3_600_000), 5000),
  LB_DNS_SERVERS: field(list(hostPort), []),
  LB_ENGINE: field(oneOf(['undici', 'http-proxy']), 'undici'),
  LB_WORKERS: field(text(/^(auto|[1-9]\d?)$/, 'auto or an integer 1-99'), '1'),
  LB_CONNECT_TIMEOUT_MS: field(integer(1, 600_000), 2000),
  LB_RESPONSE_TIMEOUT_MS: field(integer(1, 3_600_000), 30_000),
  LB_BACKEND_IDLE_TIMEOUT_MS: field(integer(1, 3_600_000), 60_000),
  LB_BACKEND_KEEPALIVE_MS: field(integer(1, 3_600_000), 30_000),
  LB_BACKEND_MAX_CONNECTIONS: field(integer(1, 100_000), 512),
  LB_CLIENT_HEADER_TIMEOUT_MS: field(integer(1, 600_000), 10_000),
  LB_CLIENT_REQUEST_TIMEOUT_MS: field(ms(), 300_000),
  LB_CLIENT_IDLE_TIMEOUT_MS: field(integer(1, 3_600_000), 120_000),
  LB_CLIENT_KEEPALIVE_MS: field(integer(1, 3_600_000), 5000),
  LB_RETRIES: field(integer(0, 10), 2),
  LB_RETRY_BUDGET_PERCENT: field(integer(0, 100), 20),
  LB_RETRY_BUDGET_MIN: field(integer(0, 100_000), 10),
  LB_RETRY_BODY_BYTES: field(integer(0, 16 * 1024 * 1024), 64 * 1024),
  LB_MAX_HEADERS: field(integer(1, 2000), 100),
  LB_MAX_HEADER_BYTES: field(integer(1024, 1024 * 1024), 16 * 1024),
  LB_ACCESS_LOG: field(oneOf(['on', 'off']), 'on'),
  LB_ACCESS_LOG_SAMPLE: field(decimal(0, 1), 1),
  LB_LOG_LEVEL: field(oneOf(LOG_LEVELS), 'info'),
  LB_SHUTDOWN_TIMEOUT_MS: field(integer(0, 600_000), 30_000),
} as const;

function crossChecks(c: LbConfig): string[] {
  const problems: string[] = [];
  const names = c.pools.map((p) => p.name);
  if (!names.includes(c.defaultPool))
    problems.push(`LB_DEFAULT_POOL=${c.defaultPool} is not a pool in LB_POOLS`);
  for (const r of c.routes)
    if (!names.includes(r.pool)) problems.push(`LB_ROUTES names pool ${r.pool}, not in LB_POOLS`);
  if ((c.tlsCertFile === undefined) !== (c.tlsKeyFile === undefined))
    problems.push('LB_TLS_CERT_FILE and LB_TLS_KEY_FILE are set together or not at all');
  if (c.health.intervalMs > 0 && c.health.timeoutMs > c.health.intervalMs)
    problems.push('LB_HEALTH_TIMEOUT_MS must not exceed LB_HEALTH_INTERVAL_MS');
  if (c.timeouts.backendKeepAliveMs >= 72_000)
    problems.push(
      'LB_BACKEND_KEEPALIVE_MS must stay below the web servers’ keep-alive timeout (72 s)',
    );
  const t = c.timeouts;
  if (t.clientRequestMs > 0 && t.clientRequestMs < t.clientHeadersMs)
    problems.push('LB_CLIENT_REQUEST_TIMEOUT_MS must be 0 or at least LB_CLIENT_HEADER_TIMEOUT_MS');
  if (t.clientIdleMs <= t.responseHeadersMs)
    problems.push('LB_CLIENT_IDLE_TIMEOUT_MS must exceed LB_RESPONSE_TIMEOUT_MS');
  return problems;
}

/** Parses and checks the LB's environment; throws one ConfigError naming every bad variable. */
export function loadLbConfig(env: Env): LbConfig {
  const v = parseEnv(env, LB_SCHEMA);
  const flags = resolveFlags(env);
  const sticky = flags.sticky === 'cookie';
  const problems: string[] = [];
  if (sticky && v.LB_STICKY_SECRET === undefined)
    problems.push('STICKY=cookie needs LB_STICKY_SECRET_FILE (or LB_STICKY_SECRET)');
  const workers = v.LB_WORKERS === 'auto' ? availableParallelism() : Number(v.LB_WORKERS);
  const config: LbConfig = {
    instance: v.LB_INSTANCE === 'lb' ? `lb@${hostname()}` : v.LB_INSTANCE,
    host: v.LB_HOST,
    httpPort: v.LB_HTTP_PORT,
    httpsPort: v.LB_HTTPS_PORT,
    adminHost: v.LB_ADMIN_HOST ?? v.LB_HOST,
    adminPort: v.LB_ADMIN_PORT,
    tls: v.LB_TLS === 'on',
    tlsCertFile: v.LB_TLS_CERT_FILE,
    tlsKeyFile: v.LB_TLS_KEY_FILE,
    dataDir: v.LB_DATA_DIR,
    redirectHttpsPort: v.LB_REDIRECT_HTTPS_PORT ?? v.LB_HTTPS_PORT,
    hstsMaxAge: v.LB_HSTS_MAX_AGE,
    pools: v.LB_POOLS,
    routes: v.LB_ROUTES,
    defaultPool: v.LB_DEFAULT_POOL,
    algorithm: flags.lbAlgorithm,
    sticky: {
      enabled: sticky,
      cookieName: v.LB_STICKY_COOKIE,
      secret: v.LB_STICKY_SECRET ?? randomBytes(32).toString('hex'),
      maxAge: v.LB_STICKY_MAX_AGE,
    },
    health: {
      path: v.LB_HEALTH_PATH,
      intervalMs: v.LB_HEALTH_INTERVAL_MS,
      timeoutMs: v.LB_HEALTH_TIMEOUT_MS,
      rise: v.LB_HEALTH_RISE,
      fall: v.LB_HEALTH_FALL,
      ejectAfterFailures: v.LB_EJECT_AFTER_FAILURES,
    },
    dnsIntervalMs: v.LB_DNS_INTERVAL_MS,
    dnsServers: v.LB_DNS_SERVERS.map((s) => `${s.host}:${s.port}`),
    engine: v.LB_ENGINE,
    workers,
    timeouts: {
      connectMs: v.LB_CONNECT_TIMEOUT_MS,
      responseHeadersMs: v.LB_RESPONSE_TIMEOUT_MS,
      backendIdleMs: v.LB_BACKEND_IDLE_TIMEOUT_MS,
      backendKeepAliveMs: v.LB_BACKEND_KEEPALIVE_MS,
      clientHeadersMs: v.LB_CLIENT_HEADER_TIMEOUT_MS,
      clientRequestMs: v.LB_CLIENT_REQUEST_TIMEOUT_MS,
      clientIdleMs: v.LB_CLIENT_IDLE_TIMEOUT_MS,
      clientKeepAliveMs: v.LB_CLIENT_KEEPALIVE_MS,
    },
    backendMaxConnections: v.LB_BACKEND_MAX_CONNECTIONS,
    retry: {
      maxRetries: v.LB_RETRIES,
      budgetPercent: v.LB_RETRY_BUDGET_PERCENT,
      budgetMinConcurrent: v.LB_RETRY_BUDGET_MIN,
      replayBodyBytes: v.LB_RETRY_BODY_BYTES,
    },
    maxHeaders: v.LB_MAX_HEADERS,
    maxHeaderBytes: v.LB_MAX_HEADER_BYTES,
    accessLog: { enabled: v.LB_ACCESS_LOG === 'on', sample: v.LB_ACCESS_LOG_SAMPLE },
    logLevel: v.LB_LOG_LEVEL,
    shutdownTimeoutMs: v.LB_SHUTDOWN_TIMEOUT_MS,
  };
  problems.push(...crossChecks(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

export { ConfigError };
