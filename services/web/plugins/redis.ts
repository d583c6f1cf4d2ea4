/**
 * A Redis client as `app.redis` (shared sessions). Commands fail fast while disconnected (no
 * offline queue) so requests answer 503 instead of hanging; the client keeps reconnecting with
 * backoff, and a Redis that is down at start-up does not stop the app from starting.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { failFastRedis } from '../../shared/redis-options.ts';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
  }
}

export interface RedisOptions {
  readonly url: string;
  readonly commandTimeoutMs: number;
}

const READY_WAIT_MS = 3000;

async function redisPlugin(app: FastifyInstance, options: RedisOptions): Promise<void> {
  const redis = new Redis(options.url, failFastRedis(options.commandTimeoutMs));
  let lastError = '';
  redis.on('error', (error: Error) => {
    if (error.message !== lastError) app.log.warn({ err: error }, 'redis connection problem');
    lastError = error.message;
  });
  redis.on('ready', () => {
    lastError = '';
    app.log.info('redis ready');
  });
  const ready = redis.connect().catch(() => undefined);
  await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, READY_WAIT_MS).unref())]);
  app.decorate('redis', redis);
  app.addHook('onClose', async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
}

export default fp(redisPlugin, { name: 'redis' });
