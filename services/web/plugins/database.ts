/**
 * The MariaDB primary and replicas as `app.db`, with migrations applied before the app is ready.
 * Pools close when the app closes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { mysqlPoolOptions } from '../../shared/config/fields.ts';
import { DbUnavailableError } from '../../shared/db/errors.ts';
import { DbTarget } from '../../shared/db/target.ts';
import { WriterWatch } from '../../shared/db/writer-watch.ts';
import type { WebConfig } from '../config.ts';
import { ARCHIVE_MIGRATIONS } from '../db/archive-migrations.ts';
import { DbCluster } from '../db/cluster.ts';
import { MasterSet } from '../db/master-set.ts';
import { migrate } from '../db/migrate.ts';
import { MIGRATIONS, type Migration } from '../db/migrations.ts';
import { ensurePostsEngine } from '../db/posts-engine.ts';
import { registerQcacheMetrics } from '../db/qcache-metrics.ts';
import { ReplicaHealth, replicaPolicyOf } from '../db/replica-health.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: DbCluster;
    /** DB_TOPOLOGY=master-master: the two masters writes are spread over (plugins/masters.ts). */
    masters: MasterSet | undefined;
  }
}

export interface DatabaseOptions {
  readonly config: WebConfig;
  /** Apply pending migrations at start-up (the web servers do; tools may not). */
  readonly migrate: boolean;
}

async function databasePlugin(
  app: FastifyInstance,
  { config, migrate: shouldMigrate }: DatabaseOptions,
): Promise<void> {
  const common = { ...mysqlPoolOptions(config), observer: app.metrics.db };
  const primary = new DbTarget({
    ...common,
    name: 'primary',
    role: 'primary',
    ...config.MYSQL_PRIMARY,
  });
  const replicas = config.MYSQL_REPLICAS.map(
    (address, i) =>
      new DbTarget({ ...common, name: `replica-${i + 1}`, role: 'replica', ...address }),
  );
  // DB_TOPOLOGY=master-master: the second master holds every row too, so it also serves reads
  // (after the replicas in the rotation, named primary-2 in X-DB); it takes writes through
  // app.masters only, never as the cluster's writer.
  const second =
    config.flags.dbTopology === 'master-master' && config.MYSQL_PRIMARY_2 !== undefined
      ? new DbTarget({ ...common, name: 'primary-2', role: 'primary', ...config.MYSQL_PRIMARY_2 })
      : undefined;
  const readers = second === undefined ? replicas : [...replicas, second];
  const watch = new WriterWatch([primary, ...readers], (change) =>
    app.log.warn(change, 'the database writer changed (topology record)'),
  );
  // The first decision before serving: a server started after a promotion writes to the new writer.
  await watch.poll();
  watch.start();
  const health = new ReplicaHealth(watch, replicaPolicyOf(config), (change) =>
    app.log.warn(
      change,
      change.to === 'ok' ? 'replica serves reads again' : 'replica skipped for reads',
    ),
  );
  if (readers.length > 0) health.start();
  const cluster = new DbCluster(watch, config.CAUSAL_READ_WAIT_MS, health);
  app.decorate('db', cluster);
  const masters =
    second === undefined
      ? undefined
      : new MasterSet(
          [primary, second],
          {
            probeIntervalMs: config.DB_MASTER_PROBE_INTERVAL_MS,
            downAfterMs: config.DB_MASTER_DOWN_AFTER_MS,
          },
          (change) =>
            app.log.warn(
              change,
              change.up
                ? 'master answers and has caught up: its users write there again'
                : "master down or catching up: its users' writes go to the other master",
            ),
        );
  app.decorate('masters', masters);
  if (masters !== undefined) {
    await masters.probe();
    masters.start();
    app.addHook('onClose', async () => masters.stop());
  }
  if (config.flags.dbQueryCache === 'on')
    registerQcacheMetrics(app.metrics.registry, [primary, ...readers]);
  app.addHook('onClose', () => cluster.close());
  if (shouldMigrate) {
    await migrateWhenReachable(() => cluster.primary, app, config.STARTUP_DB_WAIT_MS);
    await ensurePostsEngine(cluster.primary, config.flags.postsEngine, app.log);
  }
}

/**
 * A server (re)started while the primary is down, restarting or too busy to hand out a
 * connection waits for it (up to STARTUP_DB_WAIT_MS) instead of exiting; any other error stops
 * the start at once.
 */
export async function migrateWhenReachable(
  /** The writer, or how to find it now (a promotion while waiting moves it). */
  primary: DbTarget | (() => DbTarget),
  app: FastifyInstance,
  waitMs: number,
  migrations: readonly Migration[] = [...MIGRATIONS, ...ARCHIVE_MIGRATIONS],
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await migrate(typeof primary === 'function' ? primary() : primary, migrations, app.log);
      return;
    } catch (error) {
      if (!(error instanceof DbUnavailableError) || Date.now() >= deadline) throw error;
      app.log.warn({ err: error }, 'waiting for the database primary');
      await sleep(1000);
    }
  }
}

export default fp(databasePlugin, { name: 'database', dependencies: ['metrics'] });
