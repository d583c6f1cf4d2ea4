/**
 * The LB's environment variables with their parsers and defaults (meanings in
 * services/lb/README.md). The stage flags LB_ALGORITHM and STICKY come from the shared flags module.
 */
import {
  decimal,
  field,
  hostPort,
  integer,
  list,
  oneOf,
  optional,
  text,
} from '../../shared/config/env.ts';
import { LB_HEALTH_DEFAULTS } from '../../shared/lb-health.ts';
import { LOG_LEVELS } from '../../shared/logger.ts';
import { DEFAULT_ECDH_CURVES, INTERMEDIATE_CIPHERS } from '../../shared/tls/server-options.ts';
import { routesParser } from '../routing/rules.ts';
import { fallbacksParser } from './fallbacks.ts';
import { poolsParser } from './pools.ts';

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
  LB_TLS_CIPHERS: field(
    text(/^[A-Za-z0-9_:+!@=-]+$/, 'an OpenSSL cipher list'),
    INTERMEDIATE_CIPHERS,
  ),
  LB_TLS_ECDH_CURVE: field(
    text(/^[A-Za-z0-9:_-]+$/, 'curve names joined by :'),
    DEFAULT_ECDH_CURVES,
  ),
  LB_TLS_CERT_FILE: optional(text()),
  LB_TLS_KEY_FILE: optional(text()),
  LB_DATA_DIR: field(text(), '.lb-data'),
  LB_REDIRECT_HTTPS_PORT: optional(integer(1, 65535)),
  LB_HSTS_MAX_AGE: field(integer(0, 63_072_000), 31_536_000),
  LB_POOLS: field(poolsParser),
  LB_ROUTES: field(routesParser, []),
  LB_DEFAULT_POOL: field(text(/^[a-z0-9-]+$/, 'a pool name'), 'web'),
  LB_POOL_FALLBACK: field(fallbacksParser, {}),
  LB_STICKY_COOKIE: field(text(/^[A-Za-z0-9_]{1,32}$/, 'a cookie name (A-Z a-z 0-9 _)'), 'lb_srv'),
  LB_STICKY_SECRET: optional(text(/^[\s\S]{16,}$/, 'at least 16 characters'), { secret: true }),
  LB_STICKY_MAX_AGE: field(integer(0, 31_536_000), 0),
  LB_HEALTH_PATH: field(text(/^\/[\x21-\x7e]*$/, 'an absolute path'), '/health/ready'),
  LB_HEALTH_INTERVAL_MS: field(ms(), LB_HEALTH_DEFAULTS.intervalMs),
  LB_HEALTH_TIMEOUT_MS: field(integer(1, 60_000), LB_HEALTH_DEFAULTS.timeoutMs),
  LB_HEALTH_RISE: field(integer(1, 100), LB_HEALTH_DEFAULTS.rise),
  LB_HEALTH_FALL: field(integer(1, 100), LB_HEALTH_DEFAULTS.fall),
  LB_EJECT_AFTER_FAILURES: field(integer(0, 1000), 5),
  LB_PANIC_THRESHOLD_PERCENT: field(integer(0, 100), 50),
  LB_DNS_INTERVAL_MS: field(integer(100, 3_600_000), 5000),
  LB_DNS_SERVERS: field(list(hostPort), []),
  LB_ENGINE: field(oneOf(['undici', 'http-proxy']), 'undici'),
  LB_WORKERS: field(text(/^(auto|[1-9]\d?)$/, 'auto or an integer 1-99'), '1'),
  LB_CONNECT_TIMEOUT_MS: field(integer(1, 600_000), 2000),
  LB_RESPONSE_TIMEOUT_MS: field(integer(1, 3_600_000), 30_000),
  LB_BACKEND_IDLE_TIMEOUT_MS: field(integer(1, 3_600_000), 60_000),
  LB_BACKEND_KEEPALIVE_MS: field(integer(1, 3_600_000), 30_000),
  LB_BACKEND_MAX_CONNECTIONS: field(integer(1, 100_000), 64),
  LB_BACKEND_MAX_QUEUE: field(integer(0, 100_000), 64),
  LB_POOL_MAX_QUEUE: field(integer(0, 1_000_000), 256),
  LB_QUEUE_TIMEOUT_MS: field(integer(1, 600_000), 5000),
  LB_MAX_CLIENT_CONNECTIONS: field(integer(1, 1_000_000), 4096),
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
