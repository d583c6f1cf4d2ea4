/**
 * Builds the CDN edge from its configuration: the byte-bounded cache, the origin (S3 with its own
 * deadline and breaker), the public and admin HTTP servers with explicit timeouts. Never listens;
 * server.ts does, and owns shutdown. Tests build from here.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Breaker } from '../shared/breaker.ts';
import type { Logger } from '../shared/logger.ts';
import { createS3Client } from '../shared/s3-client.ts';
import { loadTlsMaterial } from '../shared/tls/dev-certificate.ts';
import { tlsOptions } from '../shared/tls/server-options.ts';
import { createAdminHandler } from './admin/handler.ts';
import type { CachedObject } from './cache/entry.ts';
import { ByteLru } from './cache/lru.ts';
import type { CdnConfig } from './config.ts';
import { EdgeCache } from './edge/edge-cache.ts';
import { createHandler } from './edge/handler.ts';
import { type CdnMetrics, createCdnMetrics } from './metrics.ts';
import { createOrigin } from './origin/origin.ts';

export interface Cdn {
  readonly server: Server;
  readonly admin: Server;
  readonly cache: EdgeCache;
  readonly metrics: CdnMetrics;
  /** Readiness turns 503; in-flight requests finish; idle connections close. */
  drain(): Promise<void>;
}

function timeouts(server: Server, config: CdnConfig): Server {
  server.headersTimeout = config.CDN_HEADERS_TIMEOUT_MS;
  server.requestTimeout = config.CDN_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = config.CDN_KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

/** The public listener: HTTPS with CDN_TLS=on (the default), plain HTTP otherwise. */
function publicServer(config: CdnConfig, log: Logger, handler: RequestListener): Server {
  if (config.CDN_TLS === 'off') return createServer(handler);
  const material = loadTlsMaterial(
    { certFile: config.CDN_TLS_CERT_FILE, keyFile: config.CDN_TLS_KEY_FILE },
    config.CDN_DATA_DIR,
    config.CDN_HOST,
    (certFile) => log.info({ certFile }, 'generated a self-signed development certificate'),
  );
  const server = createHttpsServer(
    { ...tlsOptions(material), handshakeTimeout: config.CDN_HEADERS_TIMEOUT_MS },
    handler,
  );
  // A client that gives up on the handshake (or distrusts the certificate) is no error of ours.
  server.on('tlsClientError', () => {});
  return server as unknown as Server;
}

const closed = (server: Server) =>
  new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    // A keep-alive connection whose last request just finished is idle: close it at once.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });

export function createCdn(config: CdnConfig, log: Logger): Cdn {
  const lru = new ByteLru<CachedObject>(config.CDN_CACHE_BYTES);
  const metrics = createCdnMetrics(() => lru.stats());
  const client = createS3Client(config.s3, {
    requestMs: config.CDN_ORIGIN_TIMEOUT_MS,
    connectMs: config.CDN_ORIGIN_CONNECT_TIMEOUT_MS,
  });
  const fetch = createOrigin({
    client,
    bucket: config.s3.bucket,
    timeoutMs: config.CDN_ORIGIN_TIMEOUT_MS,
    maxObjectBytes: config.CDN_MAX_OBJECT_BYTES,
    breaker: new Breaker({
      threshold: config.CDN_BREAKER_THRESHOLD,
      openMs: config.CDN_BREAKER_OPEN_MS,
    }),
  });
  const cache = new EdgeCache({
    lru,
    fetch,
    defaults: {
      ttlSeconds: config.CDN_DEFAULT_TTL_SECONDS,
      staleIfErrorSeconds: config.CDN_STALE_IF_ERROR_SECONDS,
    },
    onOrigin: (seconds, outcome) => metrics.origin(seconds, outcome),
  });
  let draining = false;
  const notReady = () => (draining ? 'draining' : undefined);
  const server = timeouts(
    publicServer(
      config,
      log,
      createHandler({ cache, metrics, log, servedBy: config.CDN_ID, notReady }),
    ),
    config,
  );
  const admin = timeouts(
    createServer(
      createAdminHandler({ cache, metrics, log, token: config.CDN_PURGE_TOKEN, notReady }),
    ),
    config,
  );
  return {
    server,
    admin,
    cache,
    metrics,
    async drain() {
      draining = true;
      await closed(server);
      await closed(admin);
      client.destroy();
    },
  };
}
