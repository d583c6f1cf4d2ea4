/**
 * The one-shot setup service: the same program natively (started by the runner) and in compose
 * (the `setup` service). Waits for the data tier, bootstraps MariaDB replication and the bucket,
 * and exits 0, or exits 1 naming what failed. Re-running it on a bootstrapped stack changes nothing.
 *
 * It expects MariaDB servers with only a root account (native: the runner's init file; compose:
 * the image's MARIADB_ROOT_PASSWORD_FILE). The database and the app and replication accounts are
 * made here, on the primary only, and reach the replicas through replication: giving the replica
 * containers MARIADB_USER / MARIADB_DATABASE as well would make those statements collide there.
 */
import { ConfigError } from '../shared/config/env.ts';
import { createLogger } from '../shared/logger.ts';
import { bootstrapMysql } from './bootstrap-mysql.ts';
import { bootstrapS3 } from './bootstrap-s3.ts';
import { parseSetupConfig, type SetupConfig } from './config.ts';

function loadConfig(): SetupConfig {
  try {
    return parseSetupConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`setup: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ service: 'setup', instance: 'setup', level: config.logLevel });
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log.warn({ signal }, 'interrupted');
    abort.abort();
    process.exit(130);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const started = Date.now();
  try {
    const [mysqlChanges, s3Changes] = await Promise.all([
      bootstrapMysql(config, log, abort.signal),
      config.s3 ? bootstrapS3(config.s3, config.timeoutMs, log, abort.signal) : Promise.resolve(0),
    ]);
    log.info(
      { changes: mysqlChanges + s3Changes, ms: Date.now() - started },
      mysqlChanges + s3Changes === 0 ? 'already set up, nothing changed' : 'setup complete',
    );
  } catch (error) {
    abort.abort(error); // the other branch stops waiting and lets the process exit
    const code = (error as { code?: unknown }).code;
    log.fatal(
      { err: error, code: typeof code === 'string' ? code : 'SETUP_ERR_FAILED' },
      'setup failed',
    );
    process.exitCode = 1;
  }
}

await main();
