/**
 * The precomputed timeline (FEED=timeline), the notes' denormalisation as the alternative to the
 * cross-shard scatter-gather: every new post is also written, once, into one Redis sorted set
 * (fan-out on write; format.ts), trimmed to the newest TIMELINE_LENGTH posts, and a feed page is
 * one ZREVRANGEBYLEX instead of a query to every shard server. The shard servers stay the truth:
 * a page the timeline cannot fill because older posts were trimmed, or any Redis failure, is
 * answered by the scatter-gather (routes/posts.ts).
 */
import type { Redis } from 'ioredis';
import type { Cursor } from '../posts/cursor.ts';
import type { Post } from '../posts/sql.ts';
import { memberOf, postOf, TIMELINE_KEY, upperBound } from './format.ts';

export interface TimelinePage {
  readonly posts: Post[];
  /** False when the page ran past the trimmed end: older posts exist only on the shards. */
  readonly complete: boolean;
}

/** How many members one ZADD of a rebuild carries. */
const REBUILD_CHUNK = 500;

export class Timeline {
  readonly #redis: Redis;
  readonly maxLength: number;
  readonly key: string;

  constructor(redis: Redis, maxLength: number, key = TIMELINE_KEY) {
    this.#redis = redis;
    this.maxLength = maxLength;
    this.key = key;
  }

  /** Adds a post and trims the oldest past maxLength, in one transaction. */
  async add(post: Post): Promise<void> {
    const results = await this.#redis
      .multi()
      .zadd(this.key, 0, memberOf(post))
      .zremrangebyrank(this.key, 0, -(this.maxLength + 1))
      .exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (results === null || failed) throw failed ?? new Error('timeline write aborted');
  }

  async page(limit: number, cursor: Cursor | undefined): Promise<TimelinePage> {
    const members = await this.#redis.zrevrangebylex(
      this.key,
      upperBound(cursor),
      '-',
      'LIMIT',
      0,
      limit,
    );
    const posts = members.map(postOf).filter((p): p is Post => p !== undefined);
    if (posts.length === limit) return { posts, complete: true };
    // Short: the end of the feed, unless trimming dropped what comes next.
    return { posts, complete: (await this.#redis.zcard(this.key)) < this.maxLength };
  }

  /**
   * Replaces the timeline by these posts (the newest maxLength of them are kept): written to a
   * side key, then renamed over the live one in one step, so readers never see it half-built.
   * Posts made while it runs may be missed (the staleness a rebuild has; see the README).
   */
  async replace(posts: readonly Post[]): Promise<number> {
    const side = `${this.key}:rebuild`;
    await this.#redis.del(side);
    const kept = posts.slice(0, this.maxLength);
    for (let i = 0; i < kept.length; i += REBUILD_CHUNK) {
      const chunk = kept.slice(i, i + REBUILD_CHUNK).flatMap((p) => [0, memberOf(p)]);
      await this.#redis.zadd(side, ...chunk);
    }
    if (kept.length === 0) await this.#redis.del(this.key);
    else await this.#redis.rename(side, this.key);
    return kept.length;
  }

  /** How many posts it holds and their bytes (the storage it costs). */
  async size(): Promise<{ posts: number; bytes: number }> {
    const [posts, bytes] = await Promise.all([
      this.#redis.zcard(this.key),
      this.#redis.memory('USAGE', this.key),
    ]);
    return { posts, bytes: Number(bytes ?? 0) };
  }
}
