/**
 * The service's one error handler. 4xx errors are shown to the client with a stable code; outages
 * of a dependency are 503 with Retry-After; anything else is logged with its details and answered
 * with a generic 500 body that reveals nothing about the internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { dbFailureOf } from '../../shared/db/errors.ts';
import { errorBody, HttpError } from '../../shared/http-error.ts';
import { ImageRejectedError } from '../../shared/media/image.ts';
import { StorageUnavailableError } from '../../shared/storage/object-store.ts';
import { SessionStoreUnavailableError } from '../sessions/store.ts';

interface Classified {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const FASTIFY_CODES: Readonly<Record<string, Omit<Classified, 'message'>>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'WEB_ERR_MALFORMED_JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'WEB_ERR_MALFORMED_JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'WEB_ERR_BODY_TOO_LARGE' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'WEB_ERR_BODY_TOO_LARGE' },
  FST_PARTS_LIMIT: { status: 413, code: 'WEB_ERR_TOO_MANY_PARTS' },
  FST_FILES_LIMIT: { status: 413, code: 'WEB_ERR_TOO_MANY_PARTS' },
  FST_FIELDS_LIMIT: { status: 413, code: 'WEB_ERR_TOO_MANY_PARTS' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'WEB_ERR_UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'WEB_ERR_UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'WEB_ERR_BAD_REQUEST' },
};

const unavailable = (code: string, message: string): Classified => ({
  status: 503,
  code,
  message,
  headers: { 'retry-after': '1' },
});

/** Maps any thrown value to what the client sees. Pure. */
export function classifyError(error: unknown): Classified | undefined {
  if (error instanceof HttpError) {
    return {
      status: error.statusCode,
      code: error.code,
      message: error.message,
      headers: error.headers,
    };
  }
  if (error instanceof ImageRejectedError)
    return { status: 422, code: 'WEB_ERR_IMAGE_REJECTED', message: error.message };
  if (error instanceof SessionStoreUnavailableError) {
    return unavailable(
      'WEB_ERR_SESSION_STORE_UNAVAILABLE',
      'the session store is unavailable, try again shortly',
    );
  }
  if (error instanceof StorageUnavailableError) {
    return unavailable(
      'WEB_ERR_STORAGE_UNAVAILABLE',
      'the object store is unavailable, try again shortly',
    );
  }
  const failure = dbFailureOf(error);
  if (failure === 'busy')
    return unavailable('WEB_ERR_DB_BUSY', 'the database is busy, try again shortly');
  if (failure === 'full')
    return unavailable(
      'WEB_ERR_DB_QUEUE_FULL',
      'too many requests wait for the database, try again shortly',
    );
  if (failure === 'down')
    return unavailable('WEB_ERR_DB_UNAVAILABLE', 'the database is unavailable, try again shortly');
  const e = error as Partial<FastifyError>;
  if (e.validation)
    return { status: 400, code: 'WEB_ERR_VALIDATION', message: e.message ?? 'invalid request' };
  const known = e.code === undefined ? undefined : FASTIFY_CODES[e.code];
  if (known) return { ...known, message: e.message ?? 'invalid request' };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      code: 'WEB_ERR_BAD_REQUEST',
      message: e.message ?? 'bad request',
    };
  }
  return undefined;
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const shown = classifyError(error);
    if (shown === undefined) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(errorBody('WEB_ERR_INTERNAL', 'internal error'));
    }
    if (shown.status >= 500)
      request.log.warn({ err: error, code: shown.code }, 'dependency unavailable');
    reply.headers(shown.headers ?? {});
    // A refused upload may leave part of its body unread on the socket: do not reuse the connection.
    if (shown.status === 413 || request.headers['content-type']?.startsWith('multipart/')) {
      reply.header('connection', 'close');
    }
    return reply.code(shown.status).send(errorBody(shown.code, shown.message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          'WEB_ERR_NOT_FOUND',
          `no route for ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`,
        ),
      ),
  );
}

export default fp(errorsPlugin, { name: 'errors' });
