/**
 * Image uploads (multipart field `file`) and their metadata. With THUMBNAILS=inline the thumbnail
 * is made inside the request (stage 1–5) and the answer is 201 with `thumbnail: "ready"`.
 */
import type {} from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Row } from '../../shared/db/target.ts';
import { HttpError } from '../../shared/http-error.ts';
import type { ImageLimits } from '../../shared/media/image.ts';
import { mediaKeys } from '../../shared/storage/keys.ts';
import { alreadyAnswered, requestDigest, writeOnce } from '../db/idempotency.ts';
import { prepareImage } from '../media/upload.ts';
import { sessionOf } from '../plugins/sessions.ts';
import { describeRead, markRecentWrite, type ReadPolicy, readSource } from './read-source.ts';
import {
  errorResponses,
  type IdempotencyHeaders,
  idempotencyHeaders,
  idParams,
} from './schemas.ts';

export interface MediaOptions extends ReadPolicy {
  readonly maxBytes: number;
  readonly limits: ImageLimits;
  readonly thumbnailSize: number;
}

/** Room for the multipart envelope around the file itself. */
const MULTIPART_OVERHEAD = 16 * 1024;

const mediaSchema = {
  type: 'object',
  required: ['id', 'url', 'thumbnailUrl', 'thumbnail'],
  properties: {
    id: { type: 'integer' },
    url: { type: 'string' },
    thumbnailUrl: { type: 'string' },
    thumbnail: { type: 'string', enum: ['pending', 'ready', 'failed'] },
    contentType: { type: 'string' },
    bytes: { type: 'integer' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    sha256: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

interface MediaRow extends Row {
  id: number;
  object_key: string;
  thumbnail_key: string;
  content_type: string;
  bytes: number;
  width: number;
  height: number;
  sha256: string;
  thumbnail_status: 'pending' | 'ready' | 'failed';
  created_at: Date;
}

const fileUrl = (key: string): string => `/files/${key}`;

const toMedia = (r: MediaRow) => ({
  id: r.id,
  url: fileUrl(r.object_key),
  thumbnailUrl: fileUrl(r.thumbnail_key),
  thumbnail: r.thumbnail_status,
  contentType: r.content_type,
  bytes: r.bytes,
  width: r.width,
  height: r.height,
  sha256: r.sha256,
  createdAt: r.created_at.toISOString(),
});

export default async function mediaRoutes(
  app: FastifyInstance,
  options: MediaOptions,
): Promise<void> {
  app.post<{ Headers: IdempotencyHeaders }>(
    '/api/media',
    {
      config: { access: 'write', session: 'required' },
      schema: { headers: idempotencyHeaders, response: { 201: mediaSchema, ...errorResponses } },
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
      const part = await request.file({
        limits: { fileSize: options.maxBytes, files: 1, fields: 0, parts: 1 },
      });
      if (part === undefined || part.fieldname !== 'file') {
        throw new HttpError(
          400,
          'WEB_ERR_FILE_MISSING',
          'send the image as multipart form field "file"',
        );
      }
      let image: Awaited<ReturnType<typeof prepareImage>>;
      try {
        image = await prepareImage(await part.toBuffer(), options.limits, options.thumbnailSize);
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
      const keys = mediaKeys(image.type);
      if (!(await alreadyAnswered(app.db.primary, claim))) {
        await app.storage.put(keys.original, image.bytes, image.type);
        await app.storage.put(keys.thumbnail, image.thumbnail, 'image/webp');
      }
      const result = await writeOnce(app.db.primary, claim, async (tx) => {
        const inserted = await tx.write(
          `INSERT INTO media (user_id, object_key, thumbnail_key, content_type, bytes, width, height, sha256, thumbnail_status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ready')`,
          [
            session.userId,
            keys.original,
            keys.thumbnail,
            image.type,
            image.bytes.length,
            image.width,
            image.height,
            image.sha256,
          ],
        );
        const [row] = await tx.rows<MediaRow>('SELECT * FROM media WHERE id = ?', [
          inserted.insertId,
        ]);
        if (row === undefined)
          throw new Error('inserted media row not found in its own transaction');
        return { statusCode: 201, body: toMedia(row) };
      });
      markRecentWrite(request, reply, options);
      return reply.header('x-db', 'primary').code(result.statusCode).send(result.body);
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
      const result = await app.cache.aside(app.cacheKeys.media(id), async () => {
        const source = readSource(request, options);
        const { rows, servedBy } = await app.db.read<MediaRow>(
          source,
          'SELECT * FROM media WHERE id = ?',
          [id],
        );
        const [row] = rows;
        if (row === undefined)
          throw new HttpError(404, 'WEB_ERR_MEDIA_NOT_FOUND', `no media ${id}`);
        return { value: toMedia(row), servedBy };
      });
      describeRead(reply, result, app.cache.enabled);
      return result.value;
    },
  );
}
