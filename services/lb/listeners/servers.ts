/**
 * The LB's client-facing servers, not listening yet: HTTPS (when TLS is on) and plain HTTP (a
 * 308 redirect to HTTPS, or the proxy when TLS is off), with the client timeouts, the parser's
 * strictness, the answers to malformed requests and the cap on open client connections
 * (LB_MAX_CLIENT_CONNECTIONS: more are closed at once, and counted).
 */
import { createServer as createHttpServer, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Logger } from '../../shared/logger.ts';
import { tlsOptions } from '../../shared/tls/server-options.ts';
import type { LbConfig } from '../config/types.ts';
import { countRejection, type ProxyContext } from '../proxy/context.ts';
import { createHandler } from '../proxy/handler.ts';
import { onClientError, onConnectMethod } from './client-errors.ts';
import { createRedirectHandler } from './redirect.ts';
import { loadTlsMaterial } from './tls.ts';

function serverOptions(config: LbConfig): ServerOptions {
  const t = config.timeouts;
  return {
    maxHeaderSize: config.maxHeaderBytes,
    requireHostHeader: true,
    insecureHTTPParser: false,
    joinDuplicateHeaders: false,
    headersTimeout: t.clientHeadersMs,
    requestTimeout: t.clientRequestMs,
    keepAliveTimeout: t.clientKeepAliveMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(t.clientHeadersMs / 4))),
    noDelay: true,
  };
}

export function createListeners(
  ctx: ProxyContext,
  log: Logger,
): { http: Server; https: Server | null } {
  const config = ctx.config;
  const opts = serverOptions(config);
  const clientError = onClientError(ctx);
  let https: Server | null = null;
  if (config.tls) {
    const material = loadTlsMaterial(config, log);
    https = createHttpsServer(
      {
        ...opts,
        ...tlsOptions(material, config.tlsSettings),
        handshakeTimeout: config.timeouts.clientHeadersMs,
      },
      createHandler(ctx, 'https'),
    ) as unknown as Server;
    https.on('clientError', clientError);
    https.on('tlsClientError', () => {});
  }
  const http = createHttpServer(
    opts,
    config.tls ? createRedirectHandler(ctx) : createHandler(ctx, 'http'),
  );
  http.on('clientError', clientError);
  for (const s of [http, https]) {
    if (s === null) continue;
    s.setTimeout(config.timeouts.clientIdleMs);
    s.on('connect', onConnectMethod(ctx));
    s.maxConnections = config.admission.maxClientConnections;
    s.on('drop', () => countRejection(ctx, 'LB_ERR_TOO_MANY_CONNECTIONS'));
  }
  return { http, https };
}
