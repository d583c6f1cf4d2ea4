/**
 * The environment each planned service gets: where the data stores are, the stage flags, the
 * secrets files, and the LB's pools and routes. Pure.
 */
import { type Flags, flagsToEnv } from '../config/flags.ts';
import { devCertificateFiles } from '../tls/dev-certificate.ts';
import { CONTAINER_PORTS, type PortName, WEB_POOLS, type WebPool } from './addresses.ts';
import { memberFile, scaledPools } from './autoscale.ts';
import { type SecretName, STACK_CONSTANTS } from './constants.ts';
import { faultRoutes, formatRoutes } from './fault-proxy.ts';
import { SECOND_MASTER } from './masters.ts';
import type { Addressing, Draft, PlanOptions } from './plan.ts';
import { lbFallbacks, lbRoutes } from './routes.ts';
import { secretFile } from './secrets.ts';

/** Where the autoscaler reaches the Docker Engine API in compose (mounted from the host). */
export const DOCKER_SOCKET = '/var/run/docker.sock';

const ROLE: Record<WebPool, string> = { web: 'all', 'read-api': 'read', 'write-api': 'write' };

const endpoint = (d: Draft | undefined, port: PortName): string =>
  d === undefined ? '' : `${d.host}:${String(d.ports[port])}`;

export function serviceEnv(
  flags: Flags,
  a: Addressing,
  all: readonly Draft[],
  options: PlanOptions,
): (d: Draft) => Record<string, string> {
  const byName = new Map(all.map((d) => [d.name, d]));
  const primary = byName.get('mysql-primary');
  const secondMaster = byName.get(SECOND_MASTER.name);
  const replicas = all.filter((d) => d.kind === 'mysql-replica');
  const shards = all.filter((d) => d.kind === 'mysql-shard');
  const shardReplicas = all.filter((d) => d.kind === 'mysql-shard-replica');
  const functions = all.filter((d) => d.kind === 'mysql-function');
  const functionReplicas = all.filter((d) => d.kind === 'mysql-function-replica');
  const s3 = byName.get('s3');
  const external = flags.storage === 's3' ? options.externalS3 : undefined;
  const redis = byName.get('redis');
  const memcached = byName.get('memcached');
  const webs = all.filter((d) => d.kind === 'web');
  const file = (name: SecretName) => secretFile(a, name);
  const dataDir = (name: string) => (a.mode === 'native' ? `${a.stackDir}/${name}/data` : '/data');

  const dataVia = (at: (d: Draft | undefined, port: PortName) => string) => ({
    MYSQL_PRIMARY: at(primary, 'mysql'),
    // DB_TOPOLOGY=master-master: the second writable server (masters.ts).
    ...(secondMaster ? { MYSQL_PRIMARY_2: at(secondMaster, 'mysql') } : {}),
    MYSQL_REPLICAS: replicas.map((r) => at(r, 'mysql')).join(','),
    ...(shards.length > 0 ? { MYSQL_SHARDS: shards.map((r) => at(r, 'mysql')).join(',') } : {}),
    // Each shard server's replicas, shard by shard: `h:p,h:p;h:p,h:p` (MYSQL_SHARDS's order).
    ...(shardReplicas.length > 0
      ? {
          MYSQL_SHARD_REPLICAS: shards
            .map((p) =>
              shardReplicas
                .filter((r) => r.replicaOf === p.name)
                .map((r) => at(r, 'mysql'))
                .join(','),
            )
            .join(';'),
        }
      : {}),
    // FEDERATION=on: each function's primary and its replicas (plan.ts functionServers).
    ...Object.fromEntries(
      functions.flatMap((p) => [
        [`MYSQL_${p.name.slice('mysql-'.length).toUpperCase()}`, at(p, 'mysql')],
        [
          `MYSQL_${p.name.slice('mysql-'.length).toUpperCase()}_REPLICAS`,
          functionReplicas
            .filter((r) => r.replicaOf === p.name)
            .map((r) => at(r, 'mysql'))
            .join(','),
        ],
      ]),
    ),
    MYSQL_USER: STACK_CONSTANTS.mysqlUser,
    MYSQL_DATABASE: STACK_CONSTANTS.mysqlDatabase,
    MYSQL_PASSWORD_FILE: file('mysql-password'),
    ...(redis ? { REDIS_URL: `redis://${at(redis, 'redis')}` } : {}),
    ...(memcached ? { MEMCACHED_SERVERS: at(memcached, 'memcached') } : {}),
    ...(s3
      ? {
          S3_ENDPOINT: `http://${at(s3, 's3')}`,
          S3_BUCKET: STACK_CONSTANTS.s3Bucket,
          S3_REGION: STACK_CONSTANTS.s3Region,
          S3_ACCESS_KEY_ID: STACK_CONSTANTS.s3AccessKeyId,
          S3_SECRET_ACCESS_KEY_FILE: file('s3-secret-access-key'),
        }
      : {}),
    ...(external
      ? {
          S3_ENDPOINT: external.endpoint,
          S3_BUCKET: external.bucket,
          S3_REGION: external.region,
          S3_ACCESS_KEY_ID: external.accessKeyId,
          S3_SECRET_ACCESS_KEY_FILE: file('s3-secret-access-key'),
        }
      : {}),
  });
  const data = dataVia(endpoint);
  // FAULT_PROXY=on: the app processes reach every store through its proxy; setup, the CDN and
  // the runner keep the direct way.
  const proxy = byName.get('fault-proxy');
  const routes = proxy && a.mode === 'native' ? faultRoutes(all, a.portBase) : [];
  const proxied = (d: Draft | undefined, port: PortName): string => {
    const route = routes.find((r) => r.name === d?.name);
    return route ? `${route.listen.host}:${route.listen.port}` : endpoint(d, port);
  };
  const appData = routes.length > 0 ? dataVia(proxied) : data;
  const flagEnv = flagsToEnv(flags);
  const lb = byName.get('lb');
  const cdn = byName.get('cdn');
  const cdnEnv: Record<string, string> = cdn
    ? {
        // The browser's way to the edge: its own address natively, the published port in compose;
        // HTTPS like the page, or a browser blocks the objects as mixed content.
        CDN_URL:
          a.mode === 'native'
            ? `https://${endpoint(cdn, 'http')}`
            : `https://localhost:${String(cdn.ports.http)}`,
        CDN_ADMIN_URL: `http://${endpoint(cdn, 'admin')}`,
        CDN_PURGE_TOKEN_FILE: file('cdn-purge-token'),
      }
    : {};

  // Natively the edge serves the LB's development certificate, which the runner makes naming both
  // (one certificate for a browser to trust); in compose it makes its own in its volume.
  const lbCert = lb && a.mode === 'native' ? devCertificateFiles(dataDir(lb.name)) : undefined;
  const cdnTls: Record<string, string> = lbCert
    ? { CDN_TLS_CERT_FILE: lbCert.certFile, CDN_TLS_KEY_FILE: lbCert.keyFile }
    : {};

  const envOf = (d: Draft): Record<string, string> => {
    switch (d.kind) {
      case 'setup':
        return {
          ...data,
          MYSQL_ROOT_PASSWORD_FILE: file('mysql-root-password'),
          MYSQL_REPLICATION_USER: STACK_CONSTANTS.mysqlReplicationUser,
          MYSQL_REPLICATION_PASSWORD_FILE: file('mysql-replication-password'),
          DB_QUERY_CACHE: flags.dbQueryCache,
          DB_TOPOLOGY: flags.dbTopology,
        };
      case 'web':
        return {
          ...flagEnv,
          ...appData,
          HOST: a.mode === 'native' ? d.host : '0.0.0.0',
          PORT: String(d.ports.http),
          ...(a.mode === 'native' ? { SERVER_ID: d.name } : {}),
          ROLE: ROLE[d.pool ?? 'web'],
          MYSQL_POOL_SIZE: String(flags.dbPoolSize),
          DATA_DIR: dataDir(d.name),
          TRUST_PROXY: a.mode === 'native' ? (lb?.host ?? '127.0.0.1') : 'lb',
          COOKIE_SECRET_FILE: file('web-cookie-secret'),
          ...cdnEnv,
        };
      case 'worker':
        return {
          ...appData,
          // FEDERATION=on: the worker only touches media rows: its database is mysql-media's.
          ...mediaAsPrimary(appData as Record<string, string | undefined>),
          HOST: a.mode === 'native' ? d.host : '0.0.0.0',
          METRICS_PORT: String(d.ports.metrics),
          ...(a.mode === 'native' ? { WORKER_ID: d.name } : {}),
        };
      case 'fault-proxy':
        return {
          FAULT_PROXY_HOST: d.host,
          FAULT_PROXY_ADMIN_PORT: String(d.ports.admin),
          FAULT_PROXY_ROUTES: formatRoutes(routes),
        };
      case 'cdn':
        return {
          ...Object.fromEntries(Object.entries(data).filter(([k]) => k.startsWith('S3_'))),
          CDN_HOST: a.mode === 'native' ? d.host : '0.0.0.0',
          CDN_PORT: String(d.ports.http),
          CDN_ADMIN_HOST: a.mode === 'native' ? d.host : '0.0.0.0',
          CDN_ADMIN_PORT: String(d.ports.admin),
          CDN_DATA_DIR: dataDir(d.name),
          ...cdnTls,
          ...(a.mode === 'native' ? { CDN_ID: d.name } : {}),
          CDN_PURGE_TOKEN_FILE: file('cdn-purge-token'),
        };
      case 'db-monitor':
        return {
          MYSQL_PRIMARY: data.MYSQL_PRIMARY,
          MYSQL_REPLICAS: data.MYSQL_REPLICAS,
          MYSQL_ROOT_PASSWORD_FILE: file('mysql-root-password'),
          MYSQL_REPLICATION_USER: STACK_CONSTANTS.mysqlReplicationUser,
          MYSQL_REPLICATION_PASSWORD_FILE: file('mysql-replication-password'),
          DB_FAILOVER: flags.dbFailover,
          HOST: a.mode === 'native' ? d.host : '0.0.0.0',
          PORT: String(d.ports.metrics),
        };
      case 'autoscaler':
        return {
          ...flagEnv,
          HOST: a.mode === 'native' ? d.host : '0.0.0.0',
          PORT: String(d.ports.metrics),
          LB_ADMIN_URL: `http://${endpoint(lb, 'admin')}`,
          AUTOSCALE_POOLS: scaledPools(flags).join(','),
          // Natively the runner adds `runner:<its control socket>` (runner/plan/launch-spec.ts).
          ...(a.mode === 'compose' ? { AUTOSCALE_ACTUATOR: `docker:${DOCKER_SOCKET}` } : {}),
        };
      case 'lb':
        return {
          ...flagEnv,
          LB_HOST: a.mode === 'native' ? d.host : '0.0.0.0',
          LB_HTTP_PORT: String(d.ports.http),
          LB_HTTPS_PORT: String(d.ports.https),
          LB_ADMIN_PORT: String(d.ports.admin),
          LB_DATA_DIR: dataDir(d.name),
          LB_POOLS: lbPools(webs, a, scaledPools(flags)),
          // A scaled pool's member file is re-read this often (LB_DNS_INTERVAL_MS, 5 s by
          // default): a server the runner adds or removes is seen within a second.
          ...(a.mode === 'native' && scaledPools(flags).length > 0
            ? { LB_DNS_INTERVAL_MS: '1000' }
            : {}),
          LB_ROUTES: lbRoutes(flags),
          LB_POOL_FALLBACK: lbFallbacks(flags),
          LB_HEALTH_PATH: STACK_CONSTANTS.healthPath,
          LB_STICKY_SECRET_FILE: file('lb-sticky-secret'),
        };
      default:
        return {};
    }
  };

  return envOf;
}

/**
 * `LB_POOLS`: `pool=host:port,host:port;pool=...`, or `pool=dns:name:port` in compose (scales);
 * natively a pool the autoscaler scales is `pool=file:<member file>` (autoscale.ts).
 */
function lbPools(webs: readonly Draft[], a: Addressing, scaled: readonly WebPool[]): string {
  return WEB_POOLS.map((pool) => {
    const members = webs.filter((w) => w.pool === pool && w.standby !== true);
    if (members.length === 0) return '';
    const targets =
      a.mode === 'compose'
        ? [`dns:${pool}:${String(CONTAINER_PORTS.web.http)}`]
        : scaled.includes(pool)
          ? [`file:${memberFile(a.stackDir, pool)}`]
          : members.map((w) => endpoint(w, 'http'));
    return `${pool}=${targets.join(',')}`;
  })
    .filter((p) => p !== '')
    .join(';');
}

/** The worker's database with FEDERATION=on: mysql-media and its replicas. */
function mediaAsPrimary(data: Record<string, string | undefined>): Record<string, string> {
  const media = data.MYSQL_MEDIA;
  if (media === undefined) return {};
  return { MYSQL_PRIMARY: media, MYSQL_REPLICAS: data.MYSQL_MEDIA_REPLICAS ?? '' };
}
