/**
 * SHARDS above 1: one DbCluster per shard server (MYSQL_SHARDS), their migrations, the shard map
 * from the directory (re-read every SHARD_MAP_REFRESH_MS, so a reshard's map flip reaches every
 * web server without a restart), as `app.shards`. `app.homeOf(id)` says where the rows of a user
 * (or of a post or order, by its id) live in either mode: the user's shard, or the one primary.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../../shared/http-error.ts';
import type { WebConfig } from '../config.ts';
import { ARCHIVE_MIGRATIONS } from '../db/archive-migrations.ts';
import type { DbCluster } from '../db/cluster.ts';
import type { IdempotentWrites } from '../db/idempotency.ts';
import { MIGRATIONS } from '../db/migrations.ts';
import { ensurePostsEngine } from '../db/posts-engine.ts';
import { serverCluster } from '../db/server-cluster.ts';
import { ShardFencedError } from '../sharding/fence.ts';
import { ensureShardMap, readShardMap, readShardMapVersion } from '../sharding/map-store.ts';
import { SHARDING_MIGRATIONS } from '../sharding/migrations.ts';
import { ShardRouter, type ShardServer } from '../sharding/router.ts';
import { migrateWhenReachable } from './database.ts';

/** Where an owner's rows live. `logical` is undefined on an unsharded stack. */
export interface Owner {
  readonly db: DbCluster;
  readonly idempotency: IdempotentWrites;
  readonly label: string;
  readonly logical: number | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    shards: ShardRouter | undefined;
    homeOf(id: bigint): Owner;
    /**
     * Runs a write at the home of `id`. A sharded home whose logical shard is fenced (a reshard
     * moving it, or this server's map is older than the flip) re-reads the map and retries, for
     * up to SHARD_MOVE_WAIT_MS; then 503 WEB_ERR_SHARD_MOVING with Retry-After.
     */
    writeAt<T>(
      id: bigint,
      write: (owner: Owner) => Promise<T>,
      what: 'posts' | 'orders',
    ): Promise<T>;
    /**
     * Re-reads the shard map now (a read that found nothing where the map says). At most once
     * per MAP_FOLLOW_MS, so misses (real 404s) cost the directory little.
     */
    followShardMap(): Promise<void>;
  }
}

const MAP_FOLLOW_MS = 50;

const FENCE_RETRY_MS = 100;

export interface ShardsOptions {
  readonly config: WebConfig;
  readonly migrate: boolean;
}

async function shardsPlugin(
  app: FastifyInstance,
  { config, migrate: shouldMigrate }: ShardsOptions,
) {
  if (config.MYSQL_SHARDS.length === 0) {
    const single: Owner = {
      db: app.db,
      idempotency: app.idempotency,
      label: 'primary',
      logical: undefined,
    };
    app.decorate('shards', undefined);
    app.decorate('homeOf', () => single);
    // Unsharded, posts go to their database (mysql-posts with FEDERATION=on, plugins/federation.ts)
    // and orders to the user's write home: the primary, or with DB_TOPOLOGY=master-master the
    // user's master (plugins/masters.ts). Both plugins register after this one.
    app.decorate(
      'writeAt',
      <T>(id: bigint, write: (owner: Owner) => Promise<T>, what: 'posts' | 'orders') =>
        write(what === 'posts' && app.federation ? app.postsHomeOf(id) : app.writeHomeOf(id)),
    );
    app.decorate('followShardMap', async () => undefined);
    return;
  }
  // Each shard server with its replicas (DB_REPLICAS): X-DB names them `shard-N/replica-M`.
  const servers: ShardServer[] = config.MYSQL_SHARDS.map((address, i) =>
    serverCluster(app, config, `shard-${i + 1}`, address, config.MYSQL_SHARD_REPLICAS[i] ?? []),
  );
  app.addHook('onClose', async () => {
    await Promise.allSettled(servers.map((s) => s.db.close()));
  });
  if (shouldMigrate) {
    const waitMs = config.STARTUP_DB_WAIT_MS;
    await migrateWhenReachable(app.db.primary, app, waitMs, SHARDING_MIGRATIONS);
    for (const s of servers) {
      await migrateWhenReachable(s.db.primary, app, waitMs, [
        ...MIGRATIONS,
        ...ARCHIVE_MIGRATIONS,
        ...SHARDING_MIGRATIONS,
      ]);
      await ensurePostsEngine(s.db.primary, config.flags.postsEngine, app.log);
    }
  }
  const map = await ensureShardMap(app.db.primary, config.flags.shards, servers.length);
  const router = new ShardRouter(servers, map, await readShardMapVersion(app.db.primary));
  app.decorate('shards', router);
  app.decorate('homeOf', (id: bigint) => router.forId(id));
  app.log.info(router.describe(), 'shard map loaded');
  // One re-read at a time: the timer's and those of writes that met a fence share it.
  let refreshing: Promise<boolean> | undefined;
  let refreshedAt = 0;
  /** Re-reads the map; whether it changed. */
  const refresh = (): Promise<boolean> => {
    refreshing ??= (async () => {
      const version = await readShardMapVersion(app.db.primary);
      const next = await readShardMap(app.db.primary, servers.length);
      router.version = version;
      refreshedAt = Date.now();
      if (!next.some((server, l) => server !== router.map[l])) return false;
      router.map = next;
      app.log.info(router.describe(), 'shard map changed');
      return true;
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };
  app.decorate('followShardMap', async () => {
    if (Date.now() - refreshedAt < MAP_FOLLOW_MS && refreshing === undefined) return;
    await refresh().catch((e: unknown) => app.log.warn({ err: e }, 'shard map refresh failed'));
  });
  // FEDERATION=on with SHARDS above 1: orders go to mysql-primary with the accounts.
  const accounts: Owner = {
    db: app.db,
    idempotency: app.idempotency,
    label: 'primary',
    logical: undefined,
  };
  app.decorate(
    'writeAt',
    async <T>(id: bigint, write: (owner: Owner) => Promise<T>, what: 'posts' | 'orders') => {
      if (what === 'orders' && app.federation !== undefined) return write(accounts);
      const deadline = Date.now() + config.SHARD_MOVE_WAIT_MS;
      for (;;) {
        try {
          return await write(router.forId(id));
        } catch (error) {
          if (!(error instanceof ShardFencedError)) throw error;
          if (Date.now() >= deadline)
            throw new HttpError(
              503,
              'WEB_ERR_SHARD_MOVING',
              `logical shard ${error.logical} is moving to another server; retry shortly`,
              { 'retry-after': '1' },
            );
          await new Promise((r) => setTimeout(r, FENCE_RETRY_MS));
          await refresh().catch((e: unknown) =>
            app.log.warn({ err: e }, 'shard map refresh failed'),
          );
        }
      }
    },
  );
  const timer = setInterval(() => {
    refresh().catch((error: unknown) => app.log.warn({ err: error }, 'shard map refresh failed'));
  }, config.SHARD_MAP_REFRESH_MS).unref();
  app.addHook('onClose', async () => clearInterval(timer));
}

export default fp(shardsPlugin, { name: 'shards', dependencies: ['database', 'idempotency'] });
