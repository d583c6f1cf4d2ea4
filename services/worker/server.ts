/**
 * The thumbnail worker process: parses configuration once, builds the worker, serves health and
 * metrics, and owns graceful shutdown. On SIGTERM/SIGINT readiness turns 503, no new job is taken,
 * active jobs finish, then it exits 0; a second signal, or SHUTDOWN_GRACE_MS, exits 1 at once (a
 * job cut short that way stalls and another worker runs it again). A queue Redis that may evict
 * keys stops it with exit code 2.
 */
import sharp from 'sharp';
import { ConfigError } from '../shared/config/env.ts';
import { createLogger } from '../shared/logger.ts';
import { EvictingRedisError } from '../shared/thumbnails/redis-policy.ts';
import { buildWorker } from './app.ts';
import { loadWorkerConfig } from './config.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadWorkerConfig>;
  try {
    config = loadWorkerConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`worker: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({
    service: 'worker',
    instance: config.WORKER_ID,
    level: config.LOG_LEVEL,
  });
  sharp.concurrency(config.WORKER_THREADS);
  const worker = buildWorker(config, logger);

  let stopping = false;
  const stop = async (reason: string, code: number) => {
    if (stopping) {
      logger.warn({ reason }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ reason }, 'shutting down: finishing active jobs');
    setTimeout(() => {
      logger.error('shutdown grace period over: exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS).unref();
    await worker.stop();
    await worker.http.close();
    logger.info('stopped');
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
  worker.onRefused(() => void stop('the queue redis may evict keys', 2));

  await worker.http.listen({ host: config.HOST, port: config.METRICS_PORT });
  try {
    await worker.start();
  } catch (error) {
    if (!(error instanceof EvictingRedisError)) throw error;
    process.stderr.write(`worker: ${error.message}\n`);
    await worker.stop();
    process.exit(2);
  }
  logger.info({ queue: config.QUEUE_NAME }, 'thumbnail worker started');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `worker: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
