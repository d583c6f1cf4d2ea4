/**
 * The MariaDB primary and replicas as `app.db`, with migrations applied before the app is ready.
 * Pools close when the app closes.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DbTarget } from '../../shared/db/target.ts';
import type { WebConfig } from '../config.ts';
import { DbCluster } from '../db/cluster.ts';
import { migrate } from '../db/migrate.ts';
import { MIGRATIONS } from '../db/migrations.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: DbCluster;
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
  const common = {
    user: config.MYSQL_USER,
    password: config.MYSQL_PASSWORD,
    database: config.MYSQL_DATABASE,
    poolSize: config.MYSQL_POOL_SIZE,
    connectTimeoutMs: config.MYSQL_CONNECT_TIMEOUT_MS,
    acquireTimeoutMs: config.MYSQL_ACQUIRE_TIMEOUT_MS,
    queryTimeoutMs: config.MYSQL_QUERY_TIMEOUT_MS,
    observer: app.metrics.db,
  };
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
  const cluster = new DbCluster(primary, replicas);
  app.decorate('db', cluster);
  app.addHook('onClose', () => cluster.close());
  if (shouldMigrate) await migrate(primary, MIGRATIONS, app.log);
}

export default fp(databasePlugin, { name: 'database', dependencies: ['metrics'] });
