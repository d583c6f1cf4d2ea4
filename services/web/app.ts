/**
 * Builds the web application from its configuration. Never listens: server.ts does that, and tests
 * build the app here and drive it with inject() or a real listener of their own.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { HttpError } from '../shared/http-error.ts';
import { HashGate } from './auth/hash-gate.ts';
import type { WebConfig } from './config.ts';
import { TokenSealer } from './consistency/token.ts';
import cache from './plugins/cache.ts';
import cdn from './plugins/cdn.ts';
import database from './plugins/database.ts';
import errors from './plugins/errors.ts';
import federation from './plugins/federation.ts';
import health from './plugins/health.ts';
import idempotency from './plugins/idempotency.ts';
import { pressurePlugin, rateLimitPlugin } from './plugins/limits.ts';
import masters from './plugins/masters.ts';
import metrics from './plugins/metrics.ts';
import queue from './plugins/queue.ts';
import redis from './plugins/redis.ts';
import sessions from './plugins/sessions.ts';
import shards from './plugins/shards.ts';
import storage from './plugins/storage.ts';
import timeline from './plugins/timeline.ts';
import { roleServes } from './route-config.ts';
import accountRoutes from './routes/accounts.ts';
import cartRoutes from './routes/cart.ts';
import fileRoutes from './routes/files.ts';
import mediaRoutes from './routes/media.ts';
import mediaDeleteRoutes from './routes/media-delete.ts';
import orderRoutes from './routes/orders.ts';
import pageRoutes from './routes/pages.ts';
import postRoutes from './routes/posts.ts';
import shardRoutes from './routes/shards.ts';
import { MemorySessionStore } from './sessions/memory-store.ts';
import { RedisSessionStore } from './sessions/redis-store.ts';
import { Catalog } from './shop/catalog.ts';
import { trustedProxies } from './trusted-proxies.ts';

export interface BuildOptions {
  readonly logger: FastifyBaseLogger;
  /** Apply database migrations while building (default true). */
  readonly migrate?: boolean;
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** The LB's request id when it sent a sane one, otherwise a new one. */
function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export async function buildApp(config: WebConfig, options: BuildOptions): Promise<FastifyInstance> {
  const proxies = await trustedProxies(config.TRUST_PROXY, {
    onError: (host, error) =>
      options.logger.warn({ host, err: error }, 'could not resolve a TRUST_PROXY host name'),
  });
  const app = Fastify({
    loggerInstance: options.logger,
    trustProxy: (address: string) => proxies.trusts(address),
    bodyLimit: config.BODY_LIMIT_BYTES,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    genReqId: requestId,
    logController: new LogController({ requestIdLogLabel: 'reqId' }),
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });
  app.server.headersTimeout = config.HEADERS_TIMEOUT_MS;
  app.addHook('onClose', async () => proxies.close());
  // The API speaks JSON (and multipart for uploads): other bodies are 415, not parsed as text.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-served-by', config.SERVER_ID);
    reply.header('x-request-id', request.id);
    if (!roleServes(config.ROLE, request.routeOptions.config.access)) {
      throw new HttpError(
        421,
        'WEB_ERR_WRONG_POOL',
        `this server has ROLE=${config.ROLE} and does not serve this route`,
      );
    }
  });

  await app.register(metrics);
  await app.register(errors);
  await app.register(database, { config, migrate: options.migrate ?? true });
  const wantsRedis = config.flags.sessionStore === 'redis' || config.flags.feed === 'timeline';
  if (wantsRedis && config.REDIS_URL !== undefined) {
    await app.register(redis, {
      url: config.REDIS_URL,
      commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    });
  }
  const store =
    config.flags.sessionStore === 'redis'
      ? new RedisSessionStore(app.redis)
      : new MemorySessionStore(config.SESSION_MEMORY_MAX);
  await app.register(sessions, { store, ttlSeconds: config.SESSION_TTL_SECONDS });
  await app.register(rateLimitPlugin, { namespace: config.MYSQL_DATABASE });
  await app.register(idempotency, {
    ttlHours: config.IDEMPOTENCY_KEY_TTL_HOURS,
    sweepIntervalSeconds: config.ROLE === 'read' ? 0 : config.IDEMPOTENCY_SWEEP_INTERVAL_SECONDS,
  });
  await app.register(shards, { config, migrate: options.migrate ?? true });
  await app.register(masters, { idempotencyTtlHours: config.IDEMPOTENCY_KEY_TTL_HOURS });
  await app.register(federation, { config, migrate: options.migrate ?? true });
  await app.register(timeline, { config });
  await app.register(storage, { config });
  await app.register(cdn, { config });
  if (config.flags.thumbnails === 'queue' && config.REDIS_URL !== undefined) {
    const options = {
      url: config.REDIS_URL,
      queueName: config.QUEUE_NAME,
      commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    };
    // A refused queue Redis stops the start: close the pools already open, then say why.
    try {
      await app.register(queue, options);
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
  }
  await app.register(multipart, {
    limits: { fileSize: config.UPLOAD_MAX_BYTES, files: 1, fields: 0, parts: 1 },
  });
  await app.register(cache, { config });
  await app.register(health, {
    role: config.ROLE,
    intervalMs: config.READY_PROBE_INTERVAL_MS,
    timeoutMs: config.READY_PROBE_TIMEOUT_MS,
  });

  const tracksWrites =
    config.COOKIE_SECRET !== undefined && config.READ_YOUR_WRITES_TTL_SECONDS > 0;
  const reads = {
    readFrom: config.flags.readFrom,
    cacheEnabled: config.flags.cache === 'memcached',
    sealer: tracksWrites ? new TokenSealer(config.COOKIE_SECRET ?? '') : undefined,
    markTtlSeconds: config.READ_YOUR_WRITES_TTL_SECONDS,
  };
  const catalog = new Catalog(app.db, config.flags.readFrom);
  await app.register(accountRoutes, {
    passwordCost: config.PASSWORD_HASH_COST,
    serverId: config.SERVER_ID,
    hashGate: new HashGate(config.PRESSURE_MAX_PENDING_HASHES),
    signupPerMinute: config.RATE_LIMIT_SIGNUP_PER_MINUTE,
    loginPerMinute: config.RATE_LIMIT_LOGIN_PER_MINUTE,
    reads,
  });
  await app.register(cartRoutes, { catalog, serverId: config.SERVER_ID });
  await app.register(orderRoutes);
  await app.register(postRoutes, { ...reads, shardReadTimeoutMs: config.SHARD_READ_TIMEOUT_MS });
  await app.register(shardRoutes);
  await app.register(mediaRoutes, {
    ...reads,
    maxBytes: config.UPLOAD_MAX_BYTES,
    limits: { maxPixels: config.IMAGE_MAX_PIXELS, maxFrames: config.IMAGE_MAX_FRAMES },
    thumbnails: config.flags.thumbnails,
    thumbnailSizes: config.THUMBNAIL_SIZES,
    thumbnailSize: config.THUMBNAIL_SIZE,
  });
  await app.register(mediaDeleteRoutes, reads);
  await app.register(fileRoutes);
  await app.register(pageRoutes, { config });
  await app.register(pressurePlugin, {
    maxEventLoopDelayMs: config.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
  });
  return app;
}
