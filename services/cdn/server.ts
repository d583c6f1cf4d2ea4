/**
 * The CDN edge process: parses configuration once, listens on the public and admin addresses,
 * and owns graceful shutdown. SIGTERM/SIGINT: readiness turns 503, the listeners stop accepting,
 * in-flight requests finish, exit 0; a second signal, or SHUTDOWN_GRACE_MS, exits 1 at once.
 */
import type { Server } from 'node:http';
import { ConfigError } from '../shared/config/env.ts';
import { createLogger } from '../shared/logger.ts';
import { createCdn } from './app.ts';
import { type CdnConfig, loadCdnConfig } from './config.ts';

const listen = (server: Server, host: string, port: number) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });

async function main(): Promise<void> {
  let config: CdnConfig;
  try {
    config = loadCdnConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`cdn: ${error.message}\n`);
    process.exit(2);
  }
  const log = createLogger({ service: 'cdn', instance: config.CDN_ID, level: config.LOG_LEVEL });
  const cdn = createCdn(config, log);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'draining');
    setTimeout(() => {
      log.error('shutdown grace period over: exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS).unref();
    cdn.drain().then(
      () => {
        log.info('drained; exiting');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await listen(cdn.server, config.CDN_HOST, config.CDN_PORT);
  await listen(cdn.admin, config.CDN_ADMIN_HOST, config.CDN_ADMIN_PORT);
  log.info(
    { port: config.CDN_PORT, adminPort: config.CDN_ADMIN_PORT, cacheBytes: config.CDN_CACHE_BYTES },
    'cdn edge listening',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `cdn: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
