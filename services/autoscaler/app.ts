/**
 * The autoscaler's listener (never listens itself: server.ts does): GET /metrics (Prometheus:
 * desired, current, reason per pool), /status.json (the last decision per pool with its inputs
 * and the last scaling action), /health/live and /health/ready (ready once the first decision
 * round ran, 503 while shutting down).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from '../shared/logger.ts';
import type { AutoscalerConfig } from './config.ts';
import type { Autoscaler } from './loop.ts';
import type { AutoscalerMetrics } from './metrics.ts';

export interface AppParts {
  readonly config: AutoscalerConfig;
  readonly loop: Autoscaler;
  readonly metrics: AutoscalerMetrics;
  readonly logger: Logger;
  /** Readiness: false before the first round and while shutting down. */
  readonly ready: () => boolean;
}

export function buildApp(parts: AppParts): FastifyInstance {
  const app = Fastify({
    loggerInstance: parts.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    connectionTimeout: 10_000,
    requestTimeout: 10_000,
    keepAliveTimeout: 5_000,
  });
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    if (!parts.ready()) return reply.code(503).send({ status: 'not ready' });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', parts.metrics.registry.contentType);
    return parts.metrics.registry.metrics();
  });
  app.get('/status.json', async () => ({
    enabled: parts.config.enabled,
    actuator: parts.config.actuator.kind,
    metric: parts.config.metric,
    policy: parts.config.policy,
    intervalMs: parts.config.intervalMs,
    pools: parts.loop.status(),
  }));
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));
  app.setErrorHandler((error: Error & { statusCode?: number }, _req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) parts.logger.error({ err: error }, 'request failed');
    reply.code(status).send({ error: status < 500 ? error.message : 'internal error' });
  });
  return app;
}
