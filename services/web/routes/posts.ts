/**
 * Posts: ≤ 1 KB of text, written to the primary, read ~100× more often than written. Reads name
 * where they may be served from (X-DB says where they were). A new post is stored in the cache at
 * once and bumps the cached views it changes (the feed, its author's posts); its author reads it
 * back causally (read-source.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Row } from '../../shared/db/target.ts';
import { HttpError } from '../../shared/http-error.ts';
import { parseId } from '../../shared/shard/ids.ts';
import type { GtidPosition } from '../consistency/gtid.ts';
import { requestDigest } from '../db/idempotency.ts';
import { sessionOf } from '../plugins/sessions.ts';
import type { Owner } from '../plugins/shards.ts';
import { readArchived } from '../posts/archived.ts';
import { decodeCursor, encodeCursor } from '../posts/cursor.ts';
import {
  feedPage,
  type Post,
  type PostRow,
  postById,
  toPost,
  userPostsPage,
} from '../posts/sql.ts';
import { scatterFeed } from '../sharding/feed.ts';
import { nextId } from '../sharding/ids.ts';
import { copyUserIn } from '../sharding/users.ts';
import { newPostBody, type PageQuery, pageQuery, pageSchema, postSchema } from './post-schemas.ts';
import { describeRead, markWrite, type ReadPolicy, writerPosition } from './read-source.ts';
import {
  bigIdParams,
  errorResponses,
  type IdempotencyHeaders,
  idempotencyHeaders,
} from './schemas.ts';

export interface PostOptions extends ReadPolicy {
  /** SHARDS above 1: how long the feed waits for each shard server. */
  readonly shardReadTimeoutMs: number;
}

/** X-DB of a sharded read: the server that answered and the logical shard. */
const sharded = (owner: Owner, servedBy: string): string =>
  owner.logical === undefined ? servedBy : `${servedBy};logical=${owner.logical}`;

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

/** A page of posts already in their API shape (the timeline's), with the same cursor. */
const postsPage = (posts: Post[], limit: number) => {
  const last = posts.length === limit ? posts[posts.length - 1] : undefined;
  return {
    posts,
    next: last ? encodeCursor({ createdAt: new Date(last.createdAt), id: last.id }) : null,
  };
};

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
      const userId = BigInt(data.userId);
      const key = request.headers['idempotency-key'];
      const claim = key
        ? {
            scope: `posts:user:${data.userId}`,
            key,
            requestHash: requestDigest('POST /api/posts', body),
          }
        : undefined;
      // At the author's home; a reshard's fence makes it wait for the new map (plugins/shards.ts).
      const { owner, result } = await app.writeAt(
        userId,
        async (owner) => ({
          owner,
          result: await owner.idempotency.writeOnce(claim, async (tx) => {
            // Sharded: an id carrying the author's logical shard; unsharded: NULL, AUTO_INCREMENT's.
            const id = owner.logical === undefined ? null : await nextId(tx, owner.logical);
            // FEDERATION=on: the author's row may not be here yet (the login's copy is best effort).
            if (app.federation !== undefined) await copyUserIn(tx, userId, data.username);
            const inserted = await tx.write(
              'INSERT INTO posts (id, user_id, body) VALUES (?, ?, ?)',
              [id, userId, body],
            );
            const [row] = await tx.rows<PostRow>(...postById(id ?? BigInt(inserted.insertId)));
            if (row === undefined)
              throw new Error('inserted post not found in its own transaction');
            return { statusCode: 201, body: toPost(row) };
          }),
        }),
        'posts',
      );
      // FEED=timeline: fan-out on write, after the commit (a replay adds the same member again).
      await app.fanOut(result.body);
      await app.cache.bump(app.cacheKeys.changedByPost(data.userId));
      await app.cache.put(app.cacheKeys.post(result.body.id), result.body);
      // Sharded, the GTID is in the shard server's own domain: its replicas wait for it, other
      // servers' replicas ignore it (DbCluster keeps the domains their writer writes).
      markWrite(request, reply, options, result.gtid);
      // Master-master: the master that took it (the other one when the user's was down).
      const xdb = app.masters === undefined ? owner.label : result.writer;
      return reply.header('x-db', xdb).code(result.statusCode).send(result.body);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/posts/:id',
    {
      config: { access: 'read' },
      schema: { params: bigIdParams, response: { 200: postSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const id = parseId(request.params.id);
      if (id === undefined || !(app.shards?.holds(id) ?? true))
        throw new HttpError(404, 'WEB_ERR_POST_NOT_FOUND', `no post ${request.params.id}`);
      const after = writerPosition(request, options);
      const result = await app.cache.aside(
        app.cacheKeys.post(id),
        async () => {
          let owner = app.postsHomeOf(id);
          let { rows, servedBy } = await owner.db.read<PostRow>(options.readFrom, ...postById(id), {
            after,
          });
          // Missing where this server's map says: a reshard may have just moved it (a post
          // written on the new server, read with the old map). Re-read the map; ask the new home.
          if (rows.length === 0 && app.shards !== undefined) {
            await app.followShardMap();
            const moved = app.postsHomeOf(id);
            if (moved.label !== owner.label) {
              owner = moved;
              ({ rows, servedBy } = await owner.db.read<PostRow>(
                options.readFrom,
                ...postById(id),
                { after },
              ));
            }
          }
          const [row] = rows;
          if (row !== undefined) return { value: toPost(row), servedBy: sharded(owner, servedBy) };
          // Not in the database: perhaps moved to the archive (`make archive`), the slow path.
          const archived = await readArchived(owner.db.primary, app.storage, id);
          if (archived === undefined)
            throw new HttpError(404, 'WEB_ERR_POST_NOT_FOUND', `no post ${id}`);
          return { value: archived, servedBy: `archive;${owner.db.primary.name}` };
        },
        after,
      );
      describeRead(reply, result, app.cache.enabled);
      return result.value;
    },
  );

  app.get<{ Params: { id: string }; Querystring: PageQuery }>(
    '/api/users/:id/posts',
    {
      config: { access: 'read' },
      schema: {
        params: bigIdParams,
        querystring: pageQuery,
        response: { 200: pageSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { limit, before } = request.query;
      const userId = parseId(request.params.id);
      if (userId === undefined || !(app.shards?.holds(userId) ?? true))
        throw new HttpError(404, 'WEB_ERR_USER_NOT_FOUND', `no user ${request.params.id}`);
      const cursor = cursorOf(before);
      const from = options.readFrom;
      const owner = app.postsHomeOf(userId);
      const load = async (after: GtidPosition | undefined) => {
        const user = await owner.db.read<Row>(from, 'SELECT id FROM users WHERE id = ?', [userId], {
          after,
        });
        if (user.rows.length === 0)
          throw new HttpError(404, 'WEB_ERR_USER_NOT_FOUND', `no user ${userId}`);
        const { rows, servedBy } = await owner.db.read<PostRow>(
          from,
          ...userPostsPage(userId, limit, cursor),
          { after },
        );
        return { value: page(rows, limit), servedBy: sharded(owner, servedBy) };
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
      const shards = app.shards;
      const timeline = app.timeline;
      const load = async (after: GtidPosition | undefined) => {
        if (timeline !== undefined) {
          // FEED=timeline: one Redis read; the shards answer what it cannot (trimmed, or down).
          try {
            const got = await timeline.page(limit, cursor);
            if (got.complete) return { value: postsPage(got.posts, limit), servedBy: 'timeline' };
          } catch (error) {
            request.log.warn({ err: error }, 'timeline unreadable: the feed scatter-gathers');
          }
        }
        if (shards !== undefined) {
          const gathered = await scatterFeed(
            shards,
            options.readFrom,
            limit,
            cursor,
            options.shardReadTimeoutMs,
            after,
          );
          const value = page(gathered.rows, limit);
          const missing = gathered.missing.length > 0 ? { missingShards: gathered.missing } : {};
          return { value: { ...value, ...missing }, servedBy: gathered.servedBy.join(',') };
        }
        // Unsharded: the posts' database (mysql-posts with FEDERATION=on, else the primary's tier).
        const { rows, servedBy } = await app
          .postsHomeOf(0n)
          .db.read<PostRow>(options.readFrom, ...feedPage(limit, cursor), { after });
        return { value: page(rows, limit), servedBy };
      };
      const result = await app.cache.view(
        {
          ...app.cacheKeys.feed(limit, before),
          // A page missing a shard is not cached: the next reader asks again.
          keep: (value) => (value as { missingShards?: unknown }).missingShards === undefined,
        },
        load,
        writerPosition(request, options),
      );
      describeRead(reply, result, app.cache.enabled);
      return result.value;
    },
  );
}
