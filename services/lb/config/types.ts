/** The LB's typed, frozen configuration; built from the environment by load.ts or by tests. */
import type { LbAlgorithm } from '../../shared/config/flags.ts';
import type { RouteRule } from '../routing/rules.ts';
import type { PoolSpec } from './pools.ts';

export type EngineName = 'undici' | 'http-proxy';

export interface Timeouts {
  /** TCP connect to a backend. */
  readonly connectMs: number;
  /** From the request being sent to the backend's response headers (504 when exceeded). */
  readonly responseHeadersMs: number;
  /** Silence while streaming a backend's response body. */
  readonly backendIdleMs: number;
  /** Idle keep-alive connections to a backend are closed after this (below the backend's own). */
  readonly backendKeepAliveMs: number;
  /** Client must send complete request headers within this (slowloris). */
  readonly clientHeadersMs: number;
  /** Client must send the whole request (headers and body) within this; 0 = no limit. */
  readonly clientRequestMs: number;
  /** Client socket inactivity at any point (slow bodies, stalled readers). */
  readonly clientIdleMs: number;
  /** Idle time between requests on a client keep-alive connection. */
  readonly clientKeepAliveMs: number;
}

export interface HealthSettings {
  readonly path: string;
  /** 0 disables active checks (backends are then always considered up). */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  /**
   * Consecutive gateway failures (resets, response timeouts, 502/504 answers) that eject a
   * backend until it passes checks again; 0 = never.
   */
  readonly ejectAfterFailures: number;
  /**
   * When fewer than this share (%) of a pool's backends are healthy, the pool routes to every
   * backend that still answers (Envoy's panic threshold); 0 = never.
   */
  readonly panicThresholdPercent: number;
}

/** Admission control (HAProxy's maxconn, maxqueue and timeout queue, and the frontend maxconn). */
export interface AdmissionSettings {
  /** Requests in flight to one backend; more wait in a queue. */
  readonly backendMaxConnections: number;
  /** Requests a sticky client may queue for one full backend (then it is balanced normally). */
  readonly backendMaxQueue: number;
  /** Requests waiting in a pool's queue for any backend; beyond it: 503 at once. */
  readonly poolMaxQueue: number;
  /** Longest wait in a queue; then 503. */
  readonly queueTimeoutMs: number;
  /** Open client connections per LB process; new ones beyond it are closed at once. */
  readonly maxClientConnections: number;
}

export interface TlsSettings {
  /** OpenSSL cipher list: TLS 1.3 suites and TLS 1.2 ciphers (Mozilla "intermediate"). */
  readonly ciphers: string;
  /** Key exchange groups, `:`-separated. */
  readonly ecdhCurve: string;
}

export interface StickySettings {
  readonly enabled: boolean;
  readonly cookieName: string;
  readonly secret: string;
  /** Seconds; 0 makes a session cookie. */
  readonly maxAge: number;
}

export interface RetrySettings {
  /** Extra attempts per request, each on a different backend. */
  readonly maxRetries: number;
  /** Retries in flight may be at most this share (%) of requests in flight... */
  readonly budgetPercent: number;
  /** ...but at least this many. */
  readonly budgetMinConcurrent: number;
  /** Request bodies up to this size are kept for a retry by engines that consume them early. */
  readonly replayBodyBytes: number;
}

export interface LbConfig {
  readonly instance: string;
  readonly host: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly adminHost: string;
  readonly adminPort: number;
  readonly tls: boolean;
  readonly tlsSettings: TlsSettings;
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  readonly dataDir: string;
  /** Port named in HTTP→HTTPS redirects (the public HTTPS port; 443 is left out of the URL). */
  readonly redirectHttpsPort: number;
  readonly hstsMaxAge: number;
  readonly pools: readonly PoolSpec[];
  readonly routes: readonly RouteRule[];
  readonly defaultPool: string;
  /** Pool → the pool that serves its requests while it has no healthy backend (HAProxy `backup`). */
  readonly fallbacks: Readonly<Record<string, string>>;
  readonly algorithm: LbAlgorithm;
  readonly sticky: StickySettings;
  readonly health: HealthSettings;
  readonly dnsIntervalMs: number;
  /** `host:port` name servers for `dns:` targets; empty = the system resolver (getaddrinfo). */
  readonly dnsServers: readonly string[];
  readonly engine: EngineName;
  readonly workers: number;
  readonly timeouts: Timeouts;
  readonly admission: AdmissionSettings;
  readonly retry: RetrySettings;
  readonly maxHeaders: number;
  readonly maxHeaderBytes: number;
  readonly accessLog: { readonly enabled: boolean; readonly sample: number };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly shutdownTimeoutMs: number;
}
