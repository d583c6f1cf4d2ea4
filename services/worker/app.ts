/**
 * Builds a thumbnail worker from its configuration: the object store and the primary, a producer
 * (the policy check, the sweeper's adds), the BullMQ worker, the outbox sweeper, metrics and the
 * HTTP face. Never listens and takes no job until `start`; `stop` lets active jobs finish.
 */
import type { FastifyInstance } from 'fastify';
import { mysqlPoolOptions } from '../shared/config/fields.ts';
import { DbTarget } from '../shared/db/target.ts';
import { WriterWatch } from '../shared/db/writer-watch.ts';
import type { Logger } from '../shared/logger.ts';
import { createS3Client } from '../shared/s3-client.ts';
import { S3ObjectStore } from '../shared/storage/s3-store.ts';
import { ThumbnailProducer } from '../shared/thumbnails/producer.ts';
import type { WorkerConfig } from './config.ts';
import { buildHttp } from './http.ts';
import { createQueueWorker } from './jobs/queue-worker.ts';
import { MediaDb } from './media-db.ts';
import { createWorkerMetrics } from './metrics.ts';
import { OutboxSweeper } from './outbox/sweeper.ts';

const READY_WAIT_MS = 3000;
const quiet = { query: () => undefined, acquired: () => undefined, inUse: () => undefined };

export interface WorkerApp {
  readonly http: FastifyInstance;
  /** Checks the queue's Redis and starts taking jobs once it passes (now or after reconnecting). */
  start(): Promise<void>;
  /** Stops taking jobs, lets active ones finish, closes every client. */
  stop(): Promise<void>;
  /** Called once if the queue's Redis turns out to evict keys: the process must not go on. */
  onRefused(listener: (error: Error) => void): void;
}

export function buildWorker(config: WorkerConfig, log: Logger): WorkerApp {
  const store = new S3ObjectStore(
    createS3Client(config.s3, {
      requestMs: config.s3.timeoutMs,
      connectMs: Math.min(config.s3.timeoutMs, 2000),
    }),
    config.s3.bucket,
  );
  const primary = new DbTarget({
    name: 'primary',
    role: 'primary',
    ...config.MYSQL_PRIMARY,
    ...mysqlPoolOptions(config),
    observer: quiet,
  });
  const others = config.MYSQL_REPLICAS.map(
    (address, i) =>
      new DbTarget({
        name: `replica-${i + 1}`,
        role: 'replica',
        ...address,
        ...mysqlPoolOptions(config),
        poolSize: 1,
        observer: quiet,
      }),
  );
  const watch = new WriterWatch([primary, ...others], (change) =>
    log.warn(change, 'the database writer changed (topology record)'),
  );
  watch.start();
  const closeDatabases = async () => {
    watch.stop();
    await Promise.allSettled(watch.all.map((t) => t.close()));
  };
  const media = new MediaDb(() => watch.writer);
  const producer = new ThumbnailProducer({
    url: config.REDIS_URL,
    queueName: config.QUEUE_NAME,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    log,
  });
  const metrics = createWorkerMetrics(producer.queue);
  const deps = {
    media,
    store,
    limits: { maxPixels: config.IMAGE_MAX_PIXELS, maxFrames: config.IMAGE_MAX_FRAMES },
    maxBytes: config.UPLOAD_MAX_BYTES,
  };
  const { worker, connection } = createQueueWorker(config, {
    deps,
    timeoutMs: config.WORKER_JOB_TIMEOUT_MS,
    metrics,
    log,
  });
  const sweeper = new OutboxSweeper({
    media,
    producer,
    intervalMs: config.WORKER_SWEEP_INTERVAL_MS,
    repairAfterMs: config.WORKER_REPAIR_AFTER_MS,
    metrics,
    log,
  });

  let running = false;
  let stopping = false;
  const refusedListeners: ((error: Error) => void)[] = [];
  const run = () => {
    if (running || stopping) return;
    running = true;
    worker.run().catch((error: unknown) => log.error({ err: error }, 'queue worker stopped'));
    sweeper.start();
    log.info({ queue: config.QUEUE_NAME, concurrency: config.WORKER_CONCURRENCY }, 'taking jobs');
  };
  producer.onState((state) => {
    if (state === 'ok') run();
    if (state === 'refused')
      for (const listener of refusedListeners) listener(new Error('refused the queue redis'));
  });

  const http = buildHttp(log, metrics.registry, {
    notReady: () => {
      if (stopping) return 'draining';
      if (producer.state === 'refused') return 'the queue redis may evict keys';
      if (!running || producer.state !== 'ok') return 'not connected to the queue redis';
      return undefined;
    },
  });

  return {
    http,
    async start() {
      connection.connect().catch(() => undefined);
      await producer.start(READY_WAIT_MS);
      if (producer.state === 'ok') run();
    },
    async stop() {
      stopping = true;
      await sweeper.stop();
      await worker.close();
      await Promise.allSettled([
        producer.close(),
        connection.quit(),
        store.close(),
        closeDatabases(),
      ]);
    },
    onRefused(listener) {
      refusedListeners.push(listener);
    },
  };
}
