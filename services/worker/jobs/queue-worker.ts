/**
 * The BullMQ worker: its own Redis connection (which waits for Redis rather than failing, as BullMQ
 * needs, and reconnects forever), the lock and stall settings, the capped jittered backoff, and
 * logs and metrics for errors and stalls. Created idle (`autorun: false`): app.ts starts it once the
 * queue's Redis passed its checks.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BACKOFF_TYPE } from '../../shared/thumbnails/job.ts';
import type { WorkerConfig } from '../config.ts';
import { type AttemptContext, runAttempt } from './attempt.ts';
import { backoffDelay } from './backoff.ts';

export function createQueueWorker(config: WorkerConfig, attempt: AttemptContext) {
  const { log, metrics } = attempt;
  const connection = new Redis(config.REDIS_URL, {
    connectTimeout: 2000,
    maxRetriesPerRequest: null,
    retryStrategy: (n) => Math.min(n * 200, 2000),
    lazyConnect: true,
  });
  const backoff = { baseMs: config.WORKER_BACKOFF_BASE_MS, maxMs: config.WORKER_BACKOFF_MAX_MS };
  const worker = new Worker(
    config.QUEUE_NAME,
    (job, _token, signal) => runAttempt(job, attempt, signal),
    {
      connection,
      name: config.WORKER_ID,
      autorun: false,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_CHECK_MS,
      maxStalledCount: config.WORKER_MAX_STALLS,
      settings: {
        backoffStrategy: (attemptsMade, type) =>
          type === BACKOFF_TYPE ? backoffDelay(attemptsMade, backoff) : 0,
      },
    },
  );
  let lastError = '';
  worker.on('error', (error) => {
    if (error.message !== lastError) log.warn({ err: error }, 'queue worker problem');
    lastError = error.message;
  });
  worker.on('stalled', (jobId) => {
    metrics.stalled.inc();
    log.warn({ jobId }, 'job stalled (its worker stopped mid-job): it runs again');
  });
  return { worker, connection };
}
