/**
 * Two steps of an upload outside its checks and storage: receiving the one multipart file, and,
 * with THUMBNAILS=queue, adding its job right after the commit (when Redis cannot take it, the
 * outbox row written with the upload keeps it for the workers' sweeper: the 202 still holds).
 */
import type {} from '@fastify/multipart';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../../shared/http-error.ts';
import type { ThumbnailJob } from '../../shared/thumbnails/job.ts';

export async function receive(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  const part = await request.file({
    limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1 },
  });
  if (part === undefined || part.fieldname !== 'file') {
    throw new HttpError(
      400,
      'WEB_ERR_FILE_MISSING',
      'send the image as multipart form field "file"',
    );
  }
  return part.toBuffer();
}

/** Adds the upload's job now; when Redis cannot take it, the outbox row keeps it for the sweeper. */
export async function enqueue(app: FastifyInstance, job: ThumbnailJob, log: FastifyBaseLogger) {
  try {
    await app.thumbnails.add(job);
    app.metrics.enqueued.inc({ outcome: 'queued' });
  } catch (error) {
    app.metrics.enqueued.inc({ outcome: 'deferred' });
    log.warn({ err: error, mediaId: job.mediaId }, 'thumbnail job left in the outbox');
  }
}
