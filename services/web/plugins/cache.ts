/**
 * The read cache as `app.cache` and its key builder as `app.cacheKeys`: memcached cache-aside when
 * CACHE=memcached, otherwise a pass-through. Counts hits, misses, bypasses and errors.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import memjs from 'memjs';
import { Counter } from 'prom-client';
import { type Cache, MemcachedCache, noCache } from '../cache/cache.ts';
import { type CacheKeys, cacheKeys } from '../cache/keys.ts';
import type { WebConfig } from '../config.ts';

declare module 'fastify' {
  interface FastifyInstance {
    cache: Cache;
    cacheKeys: CacheKeys;
  }
}

async function cachePlugin(app: FastifyInstance, { config }: { config: WebConfig }): Promise<void> {
  const requests = new Counter({
    name: 'cache_requests_total',
    help: 'Cache-aside lookups, by result',
    labelNames: ['result'],
    registers: [app.metrics.registry],
  });
  let cache: Cache = noCache;
  if (config.flags.cache === 'memcached' && config.MEMCACHED_SERVERS.length > 0) {
    const seconds = config.MEMCACHED_TIMEOUT_MS / 1000;
    const client = memjs.Client.create(
      config.MEMCACHED_SERVERS.map((s) => `${s.host}:${s.port}`).join(','),
      {
        timeout: seconds,
        conntimeout: seconds * 2,
        retries: 0,
        keepAlive: true,
        logger: { log: () => undefined },
      },
    );
    cache = new MemcachedCache(
      client,
      { request: (result) => requests.inc({ result }) },
      config.MEMCACHED_TIMEOUT_MS * 2,
    );
  }
  app.decorate('cache', cache);
  app.decorate(
    'cacheKeys',
    cacheKeys(config.MYSQL_DATABASE, {
      postSeconds: config.CACHE_POST_TTL_SECONDS,
      pageSeconds: config.CACHE_PAGE_TTL_SECONDS,
    }),
  );
  app.addHook('onClose', () => cache.close());
}

export default fp(cachePlugin, { name: 'cache', dependencies: ['metrics'] });
