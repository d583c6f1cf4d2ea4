/**
 * Post queries. The feed walks idx_posts_created backwards and joins each post's author by primary
 * key (STRAIGHT_JOIN fixes that order), so MariaDB reads `limit` index entries instead of sorting
 * the whole posts table; see EXPLAIN in test/integration/web/feed-plan.test.ts.
 */
import type { Param, Row } from '../../shared/db/target.ts';
import { idToJson } from '../../shared/shard/ids.ts';
import type { Cursor } from './cursor.ts';

export interface PostRow extends Row {
  /** A string past 2^53 (mysql2's supportBigNumbers). */
  id: number | string;
  user_id: number | string;
  username: string;
  body: string;
  created_at: Date;
}

export interface Post {
  readonly id: number | string;
  readonly userId: number | string;
  readonly username: string;
  readonly body: string;
  readonly createdAt: string;
}

export const toPost = (r: PostRow): Post => ({
  id: idToJson(r.id),
  userId: idToJson(r.user_id),
  username: r.username,
  body: r.body,
  createdAt: r.created_at.toISOString(),
});

const COLUMNS = 'p.id, p.user_id, u.username, p.body, p.created_at';
const BEFORE = '(p.created_at < ? OR (p.created_at = ? AND p.id < ?))';
const NEWEST_FIRST = 'ORDER BY p.created_at DESC, p.id DESC';

const cursorParams = (c: Cursor): Param[] => [c.createdAt, c.createdAt, c.id];

export const postById = (id: bigint): [string, Param[]] => [
  `SELECT ${COLUMNS} FROM posts p JOIN users u ON u.id = p.user_id WHERE p.id = ?`,
  [id],
];

/**
 * The newest posts before the cursor. `logical` (sharded): only those logical shards' posts (a
 * post's logical shard is in bits 10..22 of its id), so the copy a reshard is making on its target,
 * or the old one not yet cleaned up on its source, is never read twice.
 */
export function feedPage(
  limit: number,
  before: Cursor | undefined,
  logical?: readonly number[],
): [string, Param[]] {
  const where = [
    ...(before ? [BEFORE] : []),
    ...(logical === undefined
      ? []
      : [`((p.id >> 10) & 8191) IN (${logical.map(Number).join(', ')})`]),
  ];
  return [
    `SELECT ${COLUMNS} FROM posts p FORCE INDEX (idx_posts_created) STRAIGHT_JOIN users u ON u.id = p.user_id
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ${NEWEST_FIRST} LIMIT ?`,
    [...(before ? cursorParams(before) : []), limit],
  ];
}

export function userPostsPage(
  userId: bigint,
  limit: number,
  before: Cursor | undefined,
): [string, Param[]] {
  return [
    `SELECT ${COLUMNS} FROM posts p FORCE INDEX (idx_posts_user_created) STRAIGHT_JOIN users u ON u.id = p.user_id
     WHERE p.user_id = ? ${before ? `AND ${BEFORE}` : ''} ${NEWEST_FIRST} LIMIT ?`,
    [userId, ...(before ? cursorParams(before) : []), limit],
  ];
}
