/**
 * One more MariaDB primary of the web's, with its replicas, as a DbCluster: a shard server
 * (SHARDS above 1) or a function's database (FEDERATION=on). It is never promoted (the db-monitor
 * watches mysql-primary), so its watch is never started: the primary always writes, the replicas
 * serve reads with the directory's rules (READ_FROM, causal reads, outlier and lag ejection).
 * X-DB names them `<name>` and `<name>/replica-N`.
 */
import type { FastifyInstance } from 'fastify';
import { mysqlPoolOptions } from '../../shared/config/fields.ts';
import { DbTarget } from '../../shared/db/target.ts';
import { WriterWatch } from '../../shared/db/writer-watch.ts';
import type { WebConfig } from '../config.ts';
import { DbCluster } from './cluster.ts';
import { IdempotentWrites } from './idempotency.ts';
import { ReplicaHealth, replicaPolicyOf } from './replica-health.ts';

export interface ServerCluster {
  readonly name: string;
  readonly db: DbCluster;
  readonly idempotency: IdempotentWrites;
}

export function serverCluster(
  app: FastifyInstance,
  config: WebConfig,
  name: string,
  primaryAt: { readonly host: string; readonly port: number },
  replicasAt: readonly { readonly host: string; readonly port: number }[],
): ServerCluster {
  const common = { ...mysqlPoolOptions(config), observer: app.metrics.db };
  const primary = new DbTarget({ ...common, name, role: 'primary', ...primaryAt });
  const replicas = replicasAt.map(
    (at, r) =>
      new DbTarget({ ...common, name: `${name}/replica-${r + 1}`, role: 'replica', ...at }),
  );
  const watch = new WriterWatch([primary, ...replicas]);
  const health = new ReplicaHealth(watch, replicaPolicyOf(config), (change) =>
    app.log.warn(
      { ...change, server: name },
      change.to === 'ok' ? 'replica serves reads again' : 'replica skipped for reads',
    ),
  );
  if (replicas.length > 0) health.start();
  return {
    name,
    db: new DbCluster(watch, config.CAUSAL_READ_WAIT_MS, health),
    idempotency: new IdempotentWrites(() => primary, config.IDEMPOTENCY_KEY_TTL_HOURS * 3600),
  };
}
