/**
 * Cache keys and lifetimes for cache-aside reads. Posts are never edited, so a post by id may be
 * cached long; pages of the feed change with every new post, so they live a few seconds — the
 * staleness a reader accepts for a hot feed — and clients that just wrote bypass them.
 * Keys carry a schema version (`v1`) and the database name, so a schema change or a test database
 * never reads another's entries.
 */
export interface CacheTtls {
  readonly postSeconds: number;
  readonly pageSeconds: number;
}

export function cacheKeys(namespace: string, ttl: CacheTtls) {
  const key = (...parts: (string | number)[]) => [namespace, 'v1', ...parts].join(':');
  return {
    post: (id: number) => ({ key: key('post', id), ttlSeconds: ttl.postSeconds }),
    media: (id: number) => ({ key: key('media', id), ttlSeconds: ttl.pageSeconds }),
    feed: (limit: number, before: string | undefined) => ({
      key: key('feed', limit, before ?? 'top'),
      ttlSeconds: ttl.pageSeconds,
    }),
    userPosts: (userId: number, limit: number, before: string | undefined) => ({
      key: key('user-posts', userId, limit, before ?? 'top'),
      ttlSeconds: ttl.pageSeconds,
    }),
  };
}

export type CacheKeys = ReturnType<typeof cacheKeys>;
