/** Schemas of the post routes: a post, a page of posts, the page query, a new post's body. */
import { CURSOR_PATTERN } from '../posts/cursor.ts';
import { idValue } from './schemas.ts';

export const MAX_POST_LENGTH = 1024;

export const postSchema = {
  type: 'object',
  required: ['id', 'userId', 'username', 'body', 'createdAt'],
  properties: {
    id: idValue,
    userId: idValue,
    username: { type: 'string' },
    body: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

export const pageSchema = {
  type: 'object',
  required: ['posts', 'next'],
  properties: {
    posts: { type: 'array', items: postSchema },
    next: { type: ['string', 'null'] },
    /** SHARDS above 1: shard servers that did not answer in time (their posts are not on the page). */
    missingShards: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    before: { type: 'string', pattern: CURSOR_PATTERN },
  },
} as const;

export interface PageQuery {
  limit: number;
  before?: string;
}

export const newPostBody = {
  type: 'object',
  required: ['body'],
  additionalProperties: false,
  properties: {
    body: { type: 'string', minLength: 1, maxLength: MAX_POST_LENGTH, pattern: '\\S' },
  },
} as const;
