/**
 * The web server process: parses configuration once, builds the app, listens, and owns graceful
 * shutdown. On SIGTERM/SIGINT readiness turns 503 and every response asks its client to close the
 * connection (Connection: close), so keep-alive connections end with a response; after
 * DRAIN_DELAY_MS (by default longer than the LB needs to notice, shared/lb-health.ts) the listener
 * closes, idle connections close, in-flight requests finish and pools close. A second signal, or
 * SHUTDOWN_GRACE_MS, exits at once. A connection closed while its client may still be sending (a
 * body refused early) lingers instead of answering with a reset (shared/lingering-close.ts).
 */
import { ConfigError } from '../shared/config/env.ts';
import { lingerOnClose } from '../shared/lingering-close.ts';
import { createLogger } from '../shared/logger.ts';
import { buildApp } from './app.ts';
import { loadWebConfig } from './config.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadWebConfig>;
  try {
    config = loadWebConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`web: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({
    service: 'web',
    instance: config.SERVER_ID,
    level: config.LOG_LEVEL,
  });
  const app = await buildApp(config, { logger });
  app.server.on('connection', lingerOnClose);

  let stopping = false;
  app.addHook('onSend', async (_request, reply) => {
    if (stopping) reply.header('connection', 'close');
  });
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, drainDelayMs: config.DRAIN_DELAY_MS }, 'shutting down: draining');
    app.drain();
    setTimeout(() => {
      logger.error('shutdown grace period over: exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS).unref();
    await new Promise((resolve) => setTimeout(resolve, config.DRAIN_DELAY_MS));
    await app.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ host: config.HOST, port: config.PORT });
  logger.info({ stage: config.flags.stage, role: config.ROLE }, 'web server ready');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `web: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
