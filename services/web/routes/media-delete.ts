/**
 * `DELETE /api/media/:id`: the owner removes an upload. Its objects (original and every thumbnail
 * size) leave the store first, then the row; with CDN=on the edge is then told to purge the keys
 * and the upload's folder, so it stops serving them at once instead of when they expire. An upload
 * whose thumbnails are still being made (`pending`) cannot be deleted yet (409): the worker would
 * write them back. Cached metadata may answer for a few seconds more (media entries live briefly).
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/http-error.ts';
import { mediaFolderOf, thumbnailKey } from '../../shared/storage/keys.ts';
import { parseSizes } from '../../shared/thumbnails/job.ts';
import type { MediaRow } from '../media/media-row.ts';
import { sessionOf } from '../plugins/sessions.ts';
import { markWrite, type ReadPolicy } from './read-source.ts';
import { errorResponses, idParams } from './schemas.ts';

/** Every key an upload owns: the original, the thumbnail the row names, each size made. */
export function keysOfMedia(
  row: Pick<MediaRow, 'object_key' | 'thumbnail_key' | 'thumbnail_sizes'>,
): string[] {
  const sizes = parseSizes(row.thumbnail_sizes) ?? [];
  const thumbs = sizes.map((size) => thumbnailKey(row.object_key, size));
  return [...new Set([row.object_key, row.thumbnail_key, ...thumbs])];
}

export default async function mediaDeleteRoutes(
  app: FastifyInstance,
  options: ReadPolicy,
): Promise<void> {
  app.delete<{ Params: { id: number } }>(
    '/api/media/:id',
    {
      config: { access: 'write', session: 'required' },
      schema: { params: idParams, response: errorResponses },
    },
    async (request, reply) => {
      const { data: session } = sessionOf(request);
      const { id } = request.params;
      const [row] = await app.mediaHome.db.primary.rows<MediaRow>(
        'SELECT * FROM media WHERE id = ?',
        [id],
      );
      if (row === undefined || row.user_id !== session.userId)
        throw new HttpError(404, 'WEB_ERR_MEDIA_NOT_FOUND', `no media ${id} of yours`);
      if (row.thumbnail_status === 'pending')
        throw new HttpError(
          409,
          'WEB_ERR_MEDIA_PENDING',
          'its thumbnails are still being made; try again shortly',
        );
      const keys = keysOfMedia(row);
      await Promise.all(keys.map((key) => app.storage.delete(key)));
      const result = await app.mediaHome.idempotency.writeOnce(undefined, async (tx) => {
        await tx.write('DELETE FROM media WHERE id = ?', [id]);
        return { statusCode: 204, body: null };
      });
      const folder = mediaFolderOf(row.object_key);
      const purged = await app.cdn.purge({ keys, prefixes: folder === undefined ? [] : [folder] });
      markWrite(request, reply, options, result.gtid);
      if (app.cdn.enabled) reply.header('x-cdn-purge', purged ? 'done' : 'failed');
      return reply.header('x-db', app.mediaHome.label).code(204).send();
    },
  );
}
