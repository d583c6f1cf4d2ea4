/**
 * FEDERATION=on: split by function. mysql-primary keeps the accounts, the catalog and the orders;
 * the posts live on mysql-posts (with SHARDS above 1: on the shard servers, and the orders move
 * from the shards to mysql-primary), the uploads' rows on mysql-media, each with its replicas. Each
 * function's database has the whole schema (the same migrations) and a copy of every user's id and
 * name (written at sign-up and again at every login, sharding/users.ts), which its rows reference.
 *   app.postsHomeOf(id): where a user's (or a post's) posts are: mysql-posts, the user's shard
 *                        (SHARDS above 1), or the one primary;
 *   app.mediaHome:       where the media rows are: mysql-media, or the primary.
 * X-DB names the server that answered: `posts`, `posts/replica-1`, `media`, ….
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { WebConfig } from '../config.ts';
import { ARCHIVE_MIGRATIONS } from '../db/archive-migrations.ts';
import { MIGRATIONS } from '../db/migrations.ts';
import { ensurePostsEngine } from '../db/posts-engine.ts';
import { type ServerCluster, serverCluster } from '../db/server-cluster.ts';
import { migrateWhenReachable } from './database.ts';
import type { Owner } from './shards.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** FEDERATION=on: the function databases; undefined otherwise. */
    federation:
      | { readonly posts: ServerCluster | undefined; readonly media: ServerCluster }
      | undefined;
    postsHomeOf(id: bigint): Owner;
    mediaHome: Owner;
  }
}

export interface FederationOptions {
  readonly config: WebConfig;
  readonly migrate: boolean;
}

const ownerOf = (s: ServerCluster): Owner => ({
  db: s.db,
  idempotency: s.idempotency,
  label: s.name,
  logical: undefined,
});

async function federationPlugin(app: FastifyInstance, { config, migrate }: FederationOptions) {
  const posts = config.MYSQL_POSTS;
  const media = config.MYSQL_MEDIA;
  if (config.flags.federation !== 'on' || media === undefined) {
    app.decorate('federation', undefined);
    app.decorate('postsHomeOf', (id: bigint) => app.homeOf(id));
    app.decorate('mediaHome', {
      db: app.db,
      idempotency: app.idempotency,
      label: 'primary',
      logical: undefined,
    });
    return;
  }
  // SHARDS above 1: no MYSQL_POSTS, the posts stay on the shard servers.
  const clusters = {
    posts:
      posts === undefined
        ? undefined
        : serverCluster(app, config, 'posts', posts, config.MYSQL_POSTS_REPLICAS),
    media: serverCluster(app, config, 'media', media, config.MYSQL_MEDIA_REPLICAS),
  };
  const own = [clusters.posts, clusters.media].filter((c) => c !== undefined);
  app.addHook('onClose', async () => {
    await Promise.allSettled(own.map((c) => c.db.close()));
  });
  if (migrate) {
    for (const c of own)
      await migrateWhenReachable(c.db.primary, app, config.STARTUP_DB_WAIT_MS, [
        ...MIGRATIONS,
        ...ARCHIVE_MIGRATIONS,
      ]);
    if (clusters.posts !== undefined)
      await ensurePostsEngine(clusters.posts.db.primary, config.flags.postsEngine, app.log);
  }
  const postsOwner = clusters.posts === undefined ? undefined : ownerOf(clusters.posts);
  app.decorate('federation', clusters);
  app.decorate('postsHomeOf', (id: bigint) => postsOwner ?? app.homeOf(id));
  app.decorate('mediaHome', ownerOf(clusters.media));
  app.log.info(
    { posts: postsOwner === undefined ? 'shards' : 'posts', media: 'media' },
    'federation: functions on their own databases',
  );
}

export default fp(federationPlugin, {
  name: 'federation',
  dependencies: ['database', 'idempotency', 'shards'],
});
