/**
 * Serves stored objects (uploads, thumbnails, static assets) from the object store by key. Only
 * keys of the exact shapes the server makes are accepted; everything else is 404 before any I/O.
 * Keys are never reused, so responses are immutable and cacheable by browsers and a CDN.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../shared/http-error.ts';
import { contentTypeOf, isObjectKey } from '../../shared/storage/keys.ts';
import { errorResponses } from './schemas.ts';

export default async function fileRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { '*': string } }>(
    '/files/*',
    {
      config: { access: 'public' },
      schema: {
        params: { type: 'object', properties: { '*': { type: 'string', maxLength: 512 } } },
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const key = request.params['*'];
      if (!isObjectKey(key)) throw new HttpError(404, 'WEB_ERR_FILE_NOT_FOUND', 'no such file');
      const object = await app.storage.get(key);
      if (object === undefined) throw new HttpError(404, 'WEB_ERR_FILE_NOT_FOUND', 'no such file');
      reply.headers({
        'content-type': contentTypeOf(key),
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        etag: object.etag,
      });
      if (object.etag !== '' && request.headers['if-none-match'] === object.etag) {
        object.body.destroy();
        return reply.code(304).send();
      }
      reply.header('content-length', object.contentLength);
      return reply.send(object.body);
    },
  );
}
