/**
 * Reads the LB's configuration from the environment (variables in schema.ts, meanings in
 * services/lb/README.md), checks what involves several variables, and freezes the result.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { createSecureContext } from 'node:tls';
import { ConfigError, type Env, parseEnv } from '../../shared/config/env.ts';
import { resolveFlags } from '../../shared/config/flags.ts';
import { LB_SCHEMA } from './schema.ts';
import type { LbConfig } from './types.ts';

function crossChecks(c: LbConfig): string[] {
  const problems: string[] = [];
  const names = c.pools.map((p) => p.name);
  if (!names.includes(c.defaultPool))
    problems.push(`LB_DEFAULT_POOL=${c.defaultPool} is not a pool in LB_POOLS`);
  for (const r of c.routes)
    if (!names.includes(r.pool)) problems.push(`LB_ROUTES names pool ${r.pool}, not in LB_POOLS`);
  for (const [pool, fallback] of Object.entries(c.fallbacks))
    for (const name of [pool, fallback])
      if (!names.includes(name))
        problems.push(`LB_POOL_FALLBACK names pool ${name}, not in LB_POOLS`);
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
  problems.push(...tlsProblems(c));
  return problems;
}

/** OpenSSL is the judge of a cipher list and a curve list. */
function tlsProblems(c: LbConfig): string[] {
  const problems: string[] = [];
  const { ciphers, ecdhCurve } = c.tlsSettings;
  try {
    createSecureContext({ ciphers, minVersion: 'TLSv1.2' });
  } catch (error) {
    problems.push(`LB_TLS_CIPHERS=${ciphers}: ${(error as Error).message}`);
  }
  try {
    createSecureContext({ ecdhCurve });
  } catch (error) {
    problems.push(`LB_TLS_ECDH_CURVE=${ecdhCurve}: ${(error as Error).message}`);
  }
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
    tlsSettings: { ciphers: v.LB_TLS_CIPHERS, ecdhCurve: v.LB_TLS_ECDH_CURVE },
    tlsCertFile: v.LB_TLS_CERT_FILE,
    tlsKeyFile: v.LB_TLS_KEY_FILE,
    dataDir: v.LB_DATA_DIR,
    redirectHttpsPort: v.LB_REDIRECT_HTTPS_PORT ?? v.LB_HTTPS_PORT,
    hstsMaxAge: v.LB_HSTS_MAX_AGE,
    pools: v.LB_POOLS,
    routes: v.LB_ROUTES,
    defaultPool: v.LB_DEFAULT_POOL,
    fallbacks: v.LB_POOL_FALLBACK,
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
      panicThresholdPercent: v.LB_PANIC_THRESHOLD_PERCENT,
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
    admission: {
      backendMaxConnections: v.LB_BACKEND_MAX_CONNECTIONS,
      backendMaxQueue: v.LB_BACKEND_MAX_QUEUE,
      poolMaxQueue: v.LB_POOL_MAX_QUEUE,
      queueTimeoutMs: v.LB_QUEUE_TIMEOUT_MS,
      maxClientConnections: v.LB_MAX_CLIENT_CONNECTIONS,
    },
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
