/**
 * The CDN edge's configuration, parsed once at start-up. The edge reads objects from the S3 store
 * (the S3_* variables are required), keeps them in memory up to CDN_CACHE_BYTES, and takes purges
 * on its admin listener only with CDN_PURGE_TOKEN (a secret; `CDN_PURGE_TOKEN_FILE` in the stack).
 */
import { hostname } from 'node:os';
import {
  ConfigError,
  type Env,
  field,
  integer,
  oneOf,
  optional,
  parseEnv,
  secret,
  text,
} from '../shared/config/env.ts';
import { S3_FIELDS, type S3Config, s3ConfigOf, withoutS3Fields } from '../shared/config/fields.ts';
import { LOG_LEVELS } from '../shared/logger.ts';

const MIB = 1024 * 1024;
const ms = (min: number, max: number, fallback: number) => field(integer(min, max), fallback);

const schema = {
  CDN_HOST: field(text(), '127.0.0.1'),
  CDN_PORT: field(integer(0, 65535), 8080),
  CDN_ADMIN_HOST: field(text(), '127.0.0.1'),
  CDN_ADMIN_PORT: field(integer(0, 65535), 8081),
  /**
   * HTTPS on the public listener (the pages come over HTTPS, so a browser blocks plain-HTTP
   * objects as mixed content). The certificate: CDN_TLS_CERT_FILE / CDN_TLS_KEY_FILE, or a
   * self-signed development one made once in CDN_DATA_DIR. The admin listener stays plain HTTP.
   */
  CDN_TLS: field(oneOf(['on', 'off']), 'on'),
  CDN_TLS_CERT_FILE: optional(text()),
  CDN_TLS_KEY_FILE: optional(text()),
  CDN_DATA_DIR: field(text(), '.cdn-data'),
  CDN_ID: field(text(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (at most 64)'), hostname()),
  LOG_LEVEL: field(oneOf(LOG_LEVELS), 'info'),
  ...S3_FIELDS,
  /** The memory the cache may hold (bodies plus a fixed overhead per entry). */
  CDN_CACHE_BYTES: field(integer(MIB, 64 * 1024 * MIB), 256 * MIB),
  /** Larger objects are refused by the edge (uploads are at most 10 MiB by default). */
  CDN_MAX_OBJECT_BYTES: field(integer(1024, 1024 * MIB), 16 * MIB),
  /** Freshness of an object whose origin gave no Cache-Control lifetime (keys are never reused). */
  CDN_DEFAULT_TTL_SECONDS: field(integer(0, 31_536_000), 86_400),
  /** How long past its freshness a copy may answer while the store fails (RFC 5861). */
  CDN_STALE_IF_ERROR_SECONDS: field(integer(0, 31_536_000), 86_400),
  /**
   * One origin fetch, connect to last byte: as long as the web app waits for the store
   * (S3_TIMEOUT_MS, 10 s). A store that answers slowly (a busy box) is slow, not gone; a 3 s
   * deadline answered 504 for fresh uploads the app itself served (found by the drills).
   */
  CDN_ORIGIN_TIMEOUT_MS: ms(100, 120_000, 10_000),
  CDN_ORIGIN_CONNECT_TIMEOUT_MS: ms(50, 60_000, 1000),
  /** Consecutive origin failures after which fetches fail at once for CDN_BREAKER_OPEN_MS. */
  CDN_BREAKER_THRESHOLD: field(integer(1, 1000), 3),
  CDN_BREAKER_OPEN_MS: ms(100, 600_000, 2000),
  CDN_PURGE_TOKEN: secret(text(/^\S{16,256}$/, 'a token of 16 to 256 non-space characters')),
  CDN_HEADERS_TIMEOUT_MS: ms(100, 120_000, 10_000),
  CDN_REQUEST_TIMEOUT_MS: ms(100, 600_000, 30_000),
  /** Idle keep-alive; longer than a client's (the LB's is shorter than its backends'). */
  CDN_KEEP_ALIVE_TIMEOUT_MS: ms(100, 600_000, 65_000),
  SHUTDOWN_GRACE_MS: ms(0, 600_000, 10_000),
};

type Raw = ReturnType<typeof parseEnv<typeof schema>>;

export interface CdnConfig extends Omit<Raw, `S3_${string}`> {
  readonly s3: S3Config;
}

/** Parses the edge's configuration. Throws one ConfigError naming every bad variable. */
export function loadCdnConfig(env: Env): CdnConfig {
  const raw = parseEnv(env, schema);
  const problems: string[] = [];
  const s3 = s3ConfigOf(raw, 'for the CDN edge (it fronts the S3 store)', problems);
  if (raw.CDN_MAX_OBJECT_BYTES > raw.CDN_CACHE_BYTES)
    problems.push('CDN_MAX_OBJECT_BYTES must not exceed CDN_CACHE_BYTES');
  if ((raw.CDN_TLS_CERT_FILE === undefined) !== (raw.CDN_TLS_KEY_FILE === undefined))
    problems.push('CDN_TLS_CERT_FILE and CDN_TLS_KEY_FILE are set together or not at all');
  if (problems.length > 0 || s3 === undefined) throw new ConfigError(problems);
  return Object.freeze({ ...withoutS3Fields(raw), s3 });
}
