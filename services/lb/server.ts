/**
 * The LB process: parses the configuration, creates the logger, listens, owns graceful shutdown.
 * SIGTERM/SIGINT drain (stop accepting, finish in-flight requests, exit 0); a second signal exits
 * at once. With LB_WORKERS > 1 this process becomes the primary and forks workers (cluster/).
 */
import cluster from 'node:cluster';
import { ConfigError } from '../shared/config/env.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { createLb } from './app.ts';
import { runPrimary } from './cluster/primary.ts';
import { runWorker } from './cluster/worker.ts';
import { loadLbConfig } from './config/load.ts';
import type { LbConfig } from './config/types.ts';
import { listenLb } from './listeners/listen.ts';

function onSignals(log: Logger, drain: () => Promise<void>, kill: () => void): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      kill();
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'draining');
    drain().then(
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
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

async function main(): Promise<void> {
  if (cluster.isWorker) {
    runWorker();
    return;
  }
  let config: LbConfig;
  try {
    config = loadLbConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`lb: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger({ service: 'lb', instance: config.instance, level: config.logLevel });
  const summary = {
    engine: config.engine,
    algorithm: config.algorithm,
    sticky: config.sticky.enabled,
    tls: config.tls,
    workers: config.workers,
    pools: config.pools.map((p) => p.name),
  };
  if (config.workers > 1) {
    const primary = await runPrimary(config, log);
    onSignals(
      log,
      () => primary.close(),
      () => primary.kill(),
    );
    primary.failed.then((error) => {
      process.stderr.write(`lb: ${error.message}\n`);
      primary.kill();
      process.exit(1);
    });
    log.info({ ...primary.ports, ...summary }, 'lb listening');
    return;
  }
  const lb = createLb(config, { logger: log });
  await lb.start();
  const ports = await listenLb(lb);
  onSignals(
    log,
    () => lb.close(),
    () => {},
  );
  log.info({ ...ports, ...summary }, 'lb listening');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `lb: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
