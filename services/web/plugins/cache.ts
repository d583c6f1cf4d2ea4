/**
 * The read cache as `app.cache` and its key builder as `app.cacheKeys`: memcached cache-aside when
 * CACHE=memcached, otherwise a pass-through. Counts hits, misses, bypasses and errors. Versioned
 * pages are filled causally from the primary's GTID position, asked with a short deadline.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import memjs from 'memjs';
import { Counter } from 'prom-client';
import { type Cache, noCache } from '../cache/cache.ts';
import { GuardedMemcached } from '../cache/guarded-client.ts';
import { type CacheKeys, cacheKeys } from '../cache/keys.ts';
import { MemcachedCache } from '../cache/memcached-cache.ts';
import type { WebConfig } from '../config.ts';

declare module 'fastify' {
  interface FastifyInstance {
    cache: Cache;
    cacheKeys: CacheKeys;
  }
}

/** How long a page fill waits for the primary to say its GTID position before it skips storing. */
const POSITION_DEADLINE_MS = 250;

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
    const guarded = new GuardedMemcached(client, config.MEMCACHED_TIMEOUT_MS * 2, () =>
      requests.inc({ result: 'error' }),
    );
    cache = new MemcachedCache(guarded, { request: (result) => requests.inc({ result }) }, () =>
      app.db.primary.position(POSITION_DEADLINE_MS),
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

export default fp(cachePlugin, { name: 'cache', dependencies: ['metrics', 'database'] });
