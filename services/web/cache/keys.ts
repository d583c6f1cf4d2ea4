/**
 * Cache keys and lifetimes. Posts are never edited, so a post by id may be cached long. Pages of the
 * feed and of a user's posts are versioned views (see cache.ts): a new post bumps the feed's
 * version and its author's, so no page older than the post is served; their TTL only bounds how
 * long memory holds them. Media metadata lives a few seconds.
 * Keys carry a schema version (`v2`) and the database name, so a schema change or a test database
 * never reads another's entries.
 */
/** Ids as they arrive: numbers unsharded, 64-bit (BigInt or decimal text) sharded. */
type Id = number | string | bigint;

export interface CacheTtls {
  readonly postSeconds: number;
  readonly pageSeconds: number;
}

export interface CacheEntry<T = unknown> {
  readonly key: string;
  readonly ttlSeconds: number;
  /** Whether a value may be stored (a state about to change is not). Default: always. */
  readonly keep?: (value: T) => boolean;
}

export interface ViewEntry extends CacheEntry {
  /** The key holding the view's current version token. */
  readonly versionKey: string;
}

export function cacheKeys(namespace: string, ttl: CacheTtls) {
  const key = (...parts: (string | number | bigint)[]) => [namespace, 'v2', ...parts].join(':');
  const feedVersion = key('feed', 'version');
  const userPostsVersion = (userId: Id) => key('user-posts', userId, 'version');
  return {
    post: (id: Id): CacheEntry => ({ key: key('post', id), ttlSeconds: ttl.postSeconds }),
    media: (id: number): CacheEntry => ({ key: key('media', id), ttlSeconds: ttl.pageSeconds }),
    feed: (limit: number, before: string | undefined): ViewEntry => ({
      key: key('feed', limit, before ?? 'top'),
      versionKey: feedVersion,
      ttlSeconds: ttl.pageSeconds,
    }),
    userPosts: (userId: Id, limit: number, before: string | undefined): ViewEntry => ({
      key: key('user-posts', userId, limit, before ?? 'top'),
      versionKey: userPostsVersion(userId),
      ttlSeconds: ttl.pageSeconds,
    }),
    /** The views a new post by `userId` changes. */
    changedByPost: (userId: Id): string[] => [feedVersion, userPostsVersion(userId)],
  };
}

export type CacheKeys = ReturnType<typeof cacheKeys>;
