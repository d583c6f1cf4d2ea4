/**
 * Image uploads (multipart field `file`) and their metadata. With THUMBNAILS=inline the thumbnails
 * are made inside the request and the answer is 201 with `thumbnail: "ready"`. With
 * THUMBNAILS=queue the answer is 202 with `thumbnail: "pending"` as soon as the original is stored:
 * the row and its outbox entry commit together, then the job is added to the queue; if Redis
 * cannot take it now, the worker's sweeper moves the outbox entry later, so an accepted upload is
 * never lost. GET /api/media/:id shows `pending` → `ready` (or `failed`).
 */
import type {} from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/http-error.ts';
import type { ImageLimits } from '../../shared/media/image.ts';
import { originalKey, thumbnailKey } from '../../shared/storage/keys.ts';
import { formatSizes } from '../../shared/thumbnails/job.ts';
import { requestDigest } from '../db/idempotency.ts';
import { type MediaRow, mediaSchema, toMedia } from '../media/media-row.ts';
import { enqueue, receive } from '../media/steps.ts';
import { type CheckedImage, checkImage, prepareImage } from '../media/upload.ts';
import { sessionOf } from '../plugins/sessions.ts';
import { copyUserIn } from '../sharding/users.ts';
import { describeRead, markWrite, type ReadPolicy, writerPosition } from './read-source.ts';
import {
  errorResponses,
  type IdempotencyHeaders,
  idempotencyHeaders,
  idParams,
} from './schemas.ts';

export interface MediaOptions extends ReadPolicy {
  readonly maxBytes: number;
  readonly limits: ImageLimits;
  readonly thumbnails: 'inline' | 'queue';
  readonly thumbnailSizes: readonly number[];
  /** The size `thumbnailUrl` names. */
  readonly thumbnailSize: number;
}

/** Room for the multipart envelope around the file itself. */
const MULTIPART_OVERHEAD = 16 * 1024;

export default async function mediaRoutes(
  app: FastifyInstance,
  options: MediaOptions,
): Promise<void> {
  const queued = options.thumbnails === 'queue';
  // A pending thumbnail is about to change: only a final state is cached.
  const mediaEntry = (id: number) => ({
    ...app.cacheKeys.media(id),
    keep: (m: { thumbnail: string }) => m.thumbnail !== 'pending',
  });

  app.post<{ Headers: IdempotencyHeaders }>(
    '/api/media',
    {
      config: { access: 'write', session: 'required' },
      schema: {
        headers: idempotencyHeaders,
        response: { 201: mediaSchema, 202: mediaSchema, ...errorResponses },
      },
      onRequest: async (request) => {
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > options.maxBytes + MULTIPART_OVERHEAD) {
          throw new HttpError(
            413,
            'WEB_ERR_BODY_TOO_LARGE',
            `uploads are limited to ${options.maxBytes} bytes`,
          );
        }
      },
    },
    async (request, reply) => {
      const { data: session } = sessionOf(request);
      const bytes = await receive(request, options.maxBytes);
      let image: CheckedImage & { thumbnails?: ReadonlyMap<number, Buffer> };
      try {
        image = queued
          ? await checkImage(bytes, options.limits)
          : await prepareImage(bytes, options.limits, options.thumbnailSizes);
        app.metrics.uploads.inc({ outcome: 'accepted' });
      } catch (error) {
        app.metrics.uploads.inc({ outcome: 'rejected' });
        throw error;
      }
      const key = request.headers['idempotency-key'];
      const claim = key
        ? {
            scope: `media:user:${session.userId}`,
            key,
            requestHash: requestDigest('POST /api/media', image.sha256),
          }
        : undefined;
      // Stored before the transaction: a primary connection is not held while the object store
      // works. A failed insert leaves unreferenced objects behind, never a row without its files.
      const original = originalKey(image.type);
      if (!(await app.mediaHome.idempotency.alreadyAnswered(claim))) {
        await app.storage.put(original, image.bytes, image.type);
        await Promise.all(
          [...(image.thumbnails ?? [])].map(([size, thumbnail]) =>
            app.storage.put(thumbnailKey(original, size), thumbnail, 'image/webp'),
          ),
        );
      }
      const result = await app.mediaHome.idempotency.writeOnce(claim, async (tx) => {
        // FEDERATION=on: the uploader's row may not be here yet (the login's copy is best effort).
        if (app.federation !== undefined)
          await copyUserIn(tx, BigInt(session.userId), session.username);
        const inserted = await tx.write(
          `INSERT INTO media (user_id, object_key, thumbnail_key, thumbnail_sizes, content_type, bytes, width, height, sha256, thumbnail_status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            session.userId,
            original,
            thumbnailKey(original, options.thumbnailSize),
            formatSizes(options.thumbnailSizes),
            image.type,
            image.bytes.length,
            image.width,
            image.height,
            image.sha256,
            queued ? 'pending' : 'ready',
          ],
        );
        if (queued)
          await tx.write('INSERT INTO thumbnail_outbox (media_id) VALUES (?)', [inserted.insertId]);
        const [row] = await tx.rows<MediaRow>('SELECT * FROM media WHERE id = ?', [
          inserted.insertId,
        ]);
        if (row === undefined)
          throw new Error('inserted media row not found in its own transaction');
        return { statusCode: queued ? 202 : 201, body: toMedia(row, app.cdn.fileUrl) };
      });
      if (queued && !result.replayed) {
        const job = { mediaId: result.body.id, objectKey: original, sizes: options.thumbnailSizes };
        await enqueue(app, job, request.log);
      }
      await app.cache.put(mediaEntry(result.body.id), result.body);
      markWrite(request, reply, options, result.gtid);
      return reply.header('x-db', app.mediaHome.label).code(result.statusCode).send(result.body);
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/media/:id',
    {
      config: { access: 'read' },
      schema: { params: idParams, response: { 200: mediaSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const { id } = request.params;
      const after = writerPosition(request, options);
      const result = await app.cache.aside(
        mediaEntry(id),
        async () => {
          const { rows, servedBy } = await app.mediaHome.db.read<MediaRow>(
            options.readFrom,
            'SELECT * FROM media WHERE id = ?',
            [id],
            { after },
          );
          const [row] = rows;
          if (row === undefined)
            throw new HttpError(404, 'WEB_ERR_MEDIA_NOT_FOUND', `no media ${id}`);
          return { value: toMedia(row, app.cdn.fileUrl), servedBy };
        },
        after,
      );
      describeRead(reply, result, app.cache.enabled);
      return result.value;
    },
  );
}
