/** The object store as `app.storage`: local disk or S3, by the STORAGE flag. */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createS3Client } from '../../shared/s3-client.ts';
import type { ObjectStore } from '../../shared/storage/object-store.ts';
import { S3ObjectStore } from '../../shared/storage/s3-store.ts';
import type { WebConfig } from '../config.ts';
import { LocalObjectStore } from '../storage/local-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    storage: ObjectStore;
  }
}

export function createObjectStore(config: WebConfig): ObjectStore {
  if (config.s3 === undefined) return new LocalObjectStore(config.DATA_DIR);
  return new S3ObjectStore(
    createS3Client(config.s3, {
      requestMs: config.s3.timeoutMs,
      connectMs: Math.min(config.s3.timeoutMs, 2000),
    }),
    config.s3.bucket,
  );
}

async function storagePlugin(
  app: FastifyInstance,
  { config }: { config: WebConfig },
): Promise<void> {
  const store = createObjectStore(config);
  app.decorate('storage', store);
  app.addHook('onClose', () => store.close());
}

export default fp(storagePlugin, { name: 'storage' });
