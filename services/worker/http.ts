/**
 * The worker's small HTTP face: liveness, readiness (connected to a noeviction Redis, taking jobs,
 * not draining) and Prometheus metrics. Built here, listened on by server.ts.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthSource {
  /** Why the worker is not ready, or undefined when it is. */
  notReady(): string | undefined;
}

export function buildHttp(
  logger: FastifyBaseLogger,
  registry: Registry,
  health: HealthSource,
): FastifyInstance {
  const app = Fastify({ loggerInstance: logger, disableRequestLogging: true });
  app.get('/health/live', async () => ({ status: 'alive' }));
  app.get('/health/ready', async (_request, reply) => {
    const reason = health.notReady();
    return reason === undefined ? { ready: true } : reply.code(503).send({ ready: false, reason });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return app;
}
