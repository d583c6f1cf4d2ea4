/**
 * The precomputed timeline's layout in Redis (FEED=timeline), pure. One sorted set holds the
 * newest posts, every member at score 0 so Redis orders them by their bytes: a fixed-width key
 * `<epoch ms, 15 digits>-<id, 19 digits>` (the feed's keyset order, newest last) followed by `|`
 * and the post as the API returns it. A page is then one ZREVRANGEBYLEX from just below the
 * cursor's key, so the timeline pages with exactly the cursors the scatter-gather uses, and a
 * re-sent post (an idempotent replay) is the same member, added once.
 */
import type { Cursor } from '../posts/cursor.ts';
import type { Post } from '../posts/sql.ts';

export const TIMELINE_KEY = 'timeline:feed';

/** TIMELINE_LENGTH's default: the newest posts the timeline keeps. */
export const DEFAULT_TIMELINE_LENGTH = 10_000;

const MS_DIGITS = 15;
const ID_DIGITS = 19;

/** The fixed-width ordering key of a post (or of a cursor). */
export const orderKey = (ms: number, id: bigint | number | string): string =>
  `${String(Math.trunc(ms)).padStart(MS_DIGITS, '0')}-${String(id).padStart(ID_DIGITS, '0')}`;

export const memberOf = (post: Post): string =>
  `${orderKey(Date.parse(post.createdAt), post.id)}|${JSON.stringify(post)}`;

/** The post a member holds; undefined for a member not written by memberOf. */
export function postOf(member: string): Post | undefined {
  const bar = member.indexOf('|');
  if (bar !== MS_DIGITS + 1 + ID_DIGITS) return undefined;
  try {
    const post = JSON.parse(member.slice(bar + 1)) as Post;
    return typeof post === 'object' && post !== null && 'id' in post ? post : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ZREVRANGEBYLEX's upper bound for the page after `cursor`: every member strictly older than the
 * cursor's post (its own member is `key|…`, above `key`); `+` (the newest) without a cursor.
 */
export const upperBound = (cursor: Cursor | undefined): string =>
  cursor === undefined ? '+' : `(${orderKey(cursor.createdAt.getTime(), cursor.id)}`;

/** Where the timeline is authoritative from: '' the whole history, else an orderKey. */
export const floorKeyOf = (key: string): string => `${key}:floor`;

/**
 * Whether a page read from the timeline is the feed's truth: the floor is known, and either the
 * timeline holds the whole history ('') or the page is full and its oldest post is not below the
 * floor.
 */
export function pageComplete(
  keys: readonly string[],
  limit: number,
  floor: string | null,
): boolean {
  if (floor === null) return false;
  if (floor === '') return true;
  const oldest = keys[keys.length - 1];
  return keys.length === limit && oldest !== undefined && oldest >= floor;
}
