/**
 * The thumbnail job queue as `app.thumbnails` (THUMBNAILS=queue): a BullMQ producer on its own
 * Redis connection. Start-up refuses a Redis that may evict keys; a Redis that is down at start-up
 * does not stop the app (uploads are accepted into the outbox and queued once it is back).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ThumbnailProducer } from '../../shared/thumbnails/producer.ts';

declare module 'fastify' {
  interface FastifyInstance {
    thumbnails: ThumbnailProducer;
  }
}

export interface QueueOptions {
  readonly url: string;
  readonly queueName: string;
  readonly commandTimeoutMs: number;
}

const READY_WAIT_MS = 3000;

async function queuePlugin(app: FastifyInstance, options: QueueOptions): Promise<void> {
  const producer = new ThumbnailProducer({ ...options, log: app.log });
  try {
    await producer.start(READY_WAIT_MS);
  } catch (error) {
    await producer.close();
    throw error;
  }
  app.decorate('thumbnails', producer);
  app.addHook('onClose', () => producer.close());
}

export default fp(queuePlugin, { name: 'queue' });
