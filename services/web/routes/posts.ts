/**
 * Posts: ≤ 1 KB of text, written to the primary, read ~100× more often than written. Reads name
 * where they may be served from (X-DB says where they were). A new post is stored in the cache at
 * once and bumps the cached views it changes (the feed, its author's posts); its author reads it
 * back causally (read-source.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Row } from '../../shared/db/target.ts';
import { HttpError } from '../../shared/http-error.ts';
import type { GtidPosition } from '../consistency/gtid.ts';
import { requestDigest } from '../db/idempotency.ts';
import { sessionOf } from '../plugins/sessions.ts';
import { decodeCursor, encodeCursor } from '../posts/cursor.ts';
import { feedPage, type PostRow, postById, toPost, userPostsPage } from '../posts/sql.ts';
import { newPostBody, type PageQuery, pageQuery, pageSchema, postSchema } from './post-schemas.ts';
import { describeRead, markWrite, type ReadPolicy, writerPosition } from './read-source.ts';
import {
  errorResponses,
  type IdempotencyHeaders,
  idempotencyHeaders,
  idParams,
} from './schemas.ts';

export type PostOptions = ReadPolicy;

function cursorOf(before: string | undefined) {
  const cursor = decodeCursor(before);
  if (before !== undefined && cursor === undefined) {
    throw new HttpError(
      400,
      'WEB_ERR_BAD_CURSOR',
      'before must be <epoch ms>-<post id> from a previous page',
    );
  }
  return cursor;
}

const page = (rows: PostRow[], limit: number) => {
  const last = rows.length === limit ? rows[rows.length - 1] : undefined;
  return {
    posts: rows.map(toPost),
    next: last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
};

export default async function postRoutes(
  app: FastifyInstance,
  options: PostOptions,
): Promise<void> {
  app.post<{ Body: { body: string }; Headers: IdempotencyHeaders }>(
    '/api/posts',
    {
      config: { access: 'write', session: 'required' },
      schema: {
        headers: idempotencyHeaders,
        body: newPostBody,
        response: { 201: postSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { data } = sessionOf(request);
      const { body } = request.body;
      const key = request.headers['idempotency-key'];
      const claim = key
        ? {
            scope: `posts:user:${data.userId}`,
            key,
            requestHash: requestDigest('POST /api/posts', body),
          }
        : undefined;
      const result = await app.idempotency.writeOnce(claim, async (tx) => {
        const inserted = await tx.write('INSERT INTO posts (user_id, body) VALUES (?, ?)', [
          data.userId,
          body,
        ]);
        const [row] = await tx.rows<PostRow>(...postById(inserted.insertId));
        if (row === undefined) throw new Error('inserted post not found in its own transaction');
        return { statusCode: 201, body: toPost(row) };
      });
      await app.cache.bump(app.cacheKeys.changedByPost(data.userId));
      await app.cache.put(app.cacheKeys.post(result.body.id), result.body);
      markWrite(request, reply, options, result.gtid);
      return reply.header('x-db', 'primary').code(result.statusCode).send(result.body);
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/posts/:id',
    {
      config: { access: 'read' },
      schema: { params: idParams, response: { 200: postSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const { id } = request.params;
      const after = writerPosition(request, options);
      const result = await app.cache.aside(
        app.cacheKeys.post(id),
        async () => {
          const { rows, servedBy } = await app.db.read<PostRow>(options.readFrom, ...postById(id), {
            after,
          });
          const [row] = rows;
          if (row === undefined)
            throw new HttpError(404, 'WEB_ERR_POST_NOT_FOUND', `no post ${id}`);
          return { value: toPost(row), servedBy };
        },
        after,
      );
      describeRead(reply, result, app.cache.enabled);
      return result.value;
    },
  );

  app.get<{ Params: { id: number }; Querystring: PageQuery }>(
    '/api/users/:id/posts',
    {
      config: { access: 'read' },
      schema: {
        params: idParams,
        querystring: pageQuery,
        response: { 200: pageSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { limit, before } = request.query;
      const userId = request.params.id;
      const cursor = cursorOf(before);
      const from = options.readFrom;
      const load = async (after: GtidPosition | undefined) => {
        const user = await app.db.read<Row>(from, 'SELECT id FROM users WHERE id = ?', [userId], {
          after,
        });
        if (user.rows.length === 0)
          throw new HttpError(404, 'WEB_ERR_USER_NOT_FOUND', `no user ${userId}`);
        const { rows, servedBy } = await app.db.read<PostRow>(
          from,
          ...userPostsPage(userId, limit, cursor),
          { after },
        );
        return { value: page(rows, limit), servedBy };
      };
      const result = await app.cache.view(
        app.cacheKeys.userPosts(userId, limit, before),
        load,
        writerPosition(request, options),
      );
      describeRead(reply, result, app.cache.enabled);
      return result.value;
    },
  );

  app.get<{ Querystring: PageQuery }>(
    '/api/feed',
    {
      config: { access: 'read' },
      schema: { querystring: pageQuery, response: { 200: pageSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const { limit, before } = request.query;
      const cursor = cursorOf(before);
      const load = async (after: GtidPosition | undefined) => {
        const { rows, servedBy } = await app.db.read<PostRow>(
          options.readFrom,
          ...feedPage(limit, cursor),
          { after },
        );
        return { value: page(rows, limit), servedBy };
      };
      const result = await app.cache.view(
        app.cacheKeys.feed(limit, before),
        load,
        writerPosition(request, options),
      );
      describeRead(reply, result, app.cache.enabled);
      return result.value;
    },
  );
}
