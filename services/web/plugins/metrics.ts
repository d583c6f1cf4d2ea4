/**
 * Prometheus metrics on a registry owned by this app instance (no global registry): per-route
 * request counts and latency, database pool use and query latency, process metrics. GET /metrics.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DbObserver } from '../../shared/db/target.ts';

export interface WebMetrics {
  readonly registry: Registry;
  readonly db: DbObserver;
  readonly uploads: Counter<'outcome'>;
  /** Thumbnail jobs added at upload (`queued`) or left in the outbox for the sweeper (`deferred`). */
  readonly enqueued: Counter<'outcome'>;
  /** Purges sent to the CDN edge (CDN=on), by outcome (`purged`, `failed`). */
  readonly cdnPurges: Counter<'outcome'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: WebMetrics;
  }
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function createMetrics(app: FastifyInstance): WebMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const queries = new Histogram({
    name: 'db_query_duration_seconds',
    help: 'Database statement latency, by server and outcome',
    labelNames: ['target', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const acquire = new Histogram({
    name: 'db_pool_acquire_seconds',
    help: 'Time waited for a pooled database connection',
    labelNames: ['target'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const inUse = new Gauge({
    name: 'db_pool_connections_in_use',
    help: 'Pooled database connections currently lent out',
    labelNames: ['target'],
    registers: [registry],
  });
  const uploads = new Counter({
    name: 'media_uploads_total',
    help: 'Image uploads, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });

  const enqueued = new Counter({
    name: 'thumbnail_enqueue_total',
    help: 'Thumbnail jobs at upload: queued at once, or deferred to the outbox sweeper',
    labelNames: ['outcome'],
    registers: [registry],
  });

  const cdnPurges = new Counter({
    name: 'cdn_purge_requests_total',
    help: 'Purges sent to the CDN edge when an object changed or went, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  return {
    registry,
    uploads,
    enqueued,
    cdnPurges,
    db: {
      query: (target, seconds, outcome) => queries.observe({ target, outcome }, seconds),
      acquired: (target, seconds) => acquire.observe({ target }, seconds),
      inUse: (target, delta) => inUse.inc({ target }, delta),
    },
  };
}

async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const metrics = createMetrics(app);
  app.decorate('metrics', metrics);
  app.get(
    '/metrics',
    { config: { access: 'public' }, logLevel: 'warn' },
    async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
}

export default fp(metricsPlugin, { name: 'metrics' });
