/**
 * The precomputed timeline (FEED=timeline), the notes' denormalisation as the alternative to the
 * cross-shard scatter-gather: every new post is also written, once, into one Redis sorted set
 * (fan-out on write; format.ts), trimmed to the newest TIMELINE_LENGTH posts, and a feed page is
 * one ZREVRANGEBYLEX instead of a query to every shard server. The shard servers stay the truth:
 * the timeline is authoritative only from its floor (a second key, `<key>:floor`: the orderKey from
 * which every post is in the set; '' when the set holds the whole history). The first fan-out into
 * a timeline with no floor (a new stack, or Redis restarted or flushed) records that post's key, a
 * trim raises it to the oldest member kept, and `make timeline` sets it from what it rebuilt. A
 * page that reaches below the floor, a timeline with no floor, or any Redis failure is answered by
 * the scatter-gather (routes/posts.ts), so missing data is never read as the feed's end.
 */
import type { Redis } from 'ioredis';
import type { Cursor } from '../posts/cursor.ts';
import type { Post } from '../posts/sql.ts';
import {
  floorKeyOf,
  memberOf,
  orderKey,
  pageComplete,
  postOf,
  TIMELINE_KEY,
  upperBound,
} from './format.ts';

export interface TimelinePage {
  readonly posts: Post[];
  /**
   * False when the page may miss posts: it reached below the floor (trimmed, or older than what
   * the timeline saw since Redis lost it), or the timeline has no floor.
   */
  readonly complete: boolean;
}

/** orderKey's length: `<15 digits>-<19 digits>`, the prefix of every member. */
const ORDER_KEY_LENGTH = 35;

/**
 * One fan-out, atomically: add the member; with no floor, the timeline is authoritative from this
 * post on; past maxLength, trim the oldest and raise the floor to the oldest member kept.
 * KEYS: timeline, floor; ARGV: member, maxLength.
 */
const ADD_SCRIPT = `
redis.call('ZADD', KEYS[1], 0, ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[2], string.sub(ARGV[1], 1, ${ORDER_KEY_LENGTH}))
end
local max = tonumber(ARGV[2])
if redis.call('ZCARD', KEYS[1]) > max then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(max + 1))
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  local kept = string.sub(oldest, 1, ${ORDER_KEY_LENGTH})
  if kept > redis.call('GET', KEYS[2]) then redis.call('SET', KEYS[2], kept) end
end
return 1
`;

/** How many members one ZADD of a rebuild carries. */
const REBUILD_CHUNK = 500;

export class Timeline {
  readonly #redis: Redis;
  readonly maxLength: number;
  readonly key: string;
  readonly floorKey: string;

  constructor(redis: Redis, maxLength: number, key = TIMELINE_KEY) {
    this.#redis = redis;
    this.maxLength = maxLength;
    this.key = key;
    this.floorKey = floorKeyOf(key);
  }

  /** Adds a post, trims the oldest past maxLength and keeps the floor, in one script. */
  async add(post: Post): Promise<void> {
    await this.#redis.eval(ADD_SCRIPT, 2, this.key, this.floorKey, memberOf(post), this.maxLength);
  }

  async page(limit: number, cursor: Cursor | undefined): Promise<TimelinePage> {
    const results = await this.#redis
      .multi()
      .zrevrangebylex(this.key, upperBound(cursor), '-', 'LIMIT', 0, limit)
      .get(this.floorKey)
      .exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (results === null || failed) throw failed ?? new Error('timeline read aborted');
    const members = (results[0]?.[1] ?? []) as string[];
    const floor = (results[1]?.[1] ?? null) as string | null;
    const posts = members.map(postOf).filter((p): p is Post => p !== undefined);
    const keys = posts.map((p) => orderKey(Date.parse(p.createdAt), p.id));
    return { posts, complete: posts.length === members.length && pageComplete(keys, limit, floor) };
  }

  /**
   * Replaces the timeline by these posts (the newest maxLength of them are kept): written to a
   * side key, then renamed over the live one in one step, so readers never see it half-built.
   * Posts made while it runs may be missed (the staleness a rebuild has; see the README).
   * `whole`: these posts are every post there is (the sources held fewer than were asked for), so
   * the floor becomes '' while they fit; otherwise the oldest post kept.
   */
  async replace(posts: readonly Post[], whole: boolean): Promise<number> {
    const side = `${this.key}:rebuild`;
    await this.#redis.del(side);
    const kept = posts.slice(0, this.maxLength);
    for (let i = 0; i < kept.length; i += REBUILD_CHUNK) {
      const chunk = kept.slice(i, i + REBUILD_CHUNK).flatMap((p) => [0, memberOf(p)]);
      await this.#redis.zadd(side, ...chunk);
    }
    const oldest = kept[kept.length - 1];
    const floor =
      oldest === undefined || (whole && kept.length === posts.length)
        ? ''
        : orderKey(Date.parse(oldest.createdAt), oldest.id);
    const step = this.#redis.multi();
    if (kept.length === 0) step.del(this.key);
    else step.rename(side, this.key);
    const results = await step.set(this.floorKey, floor).exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (results === null || failed) throw failed ?? new Error('timeline rebuild aborted');
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
