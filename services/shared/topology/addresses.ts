/**
 * Where each kind of service listens. Natively every instance gets its own loopback address and a
 * port at a fixed offset from STACK_PORT_BASE (so two stacks, e.g. a user's and the tests', can run
 * side by side); in compose every container listens on the kind's standard port.
 */

export const SERVICE_KINDS = [
  'mysql-primary',
  'mysql-replica',
  'mysql-shard',
  'mysql-shard-replica',
  'mysql-function',
  'mysql-function-replica',
  'redis',
  'memcached',
  's3',
  'setup',
  'web',
  'lb',
  'worker',
  'cdn',
  'fault-proxy',
  'autoscaler',
  'db-monitor',
] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** The MariaDB kinds: the directory (or only) primary and replicas, shard servers and theirs. */
export const MARIADB_KINDS = [
  'mysql-primary',
  'mysql-replica',
  'mysql-shard',
  'mysql-shard-replica',
  'mysql-function',
  'mysql-function-replica',
] as const satisfies readonly ServiceKind[];

export type MariadbKind = (typeof MARIADB_KINDS)[number];

export const isMariadb = (kind: ServiceKind): kind is MariadbKind =>
  (MARIADB_KINDS as readonly ServiceKind[]).includes(kind);

export const WEB_POOLS = ['web', 'read-api', 'write-api'] as const;
export type WebPool = (typeof WEB_POOLS)[number];

/** The most instances of one web pool (the address plan below leaves room for this many). */
export const MAX_POOL_SIZE = 32;
/** The most thumbnail workers (native slots 127.0.0.151–182, ports base+231–262). */
export const MAX_WORKERS = 32;
/** The most shard servers (SHARDS). */
export const MAX_SHARDS = 8;
/** The most replicas of one shard server (DB_REPLICAS's upper bound). */
export const MAX_SHARD_REPLICAS = 2;

export type PortName =
  | 'http'
  | 'https'
  | 'admin'
  | 'mysql'
  | 'redis'
  | 'memcached'
  | 's3'
  | 'metrics';

/** Standard in-container ports used by docker-compose.yml. */
export const CONTAINER_PORTS = {
  /** Natively only (FAULT_PROXY=on); compose never plans it. */
  'fault-proxy': { admin: 8474 },
  'mysql-primary': { mysql: 3306 },
  'mysql-replica': { mysql: 3306 },
  'mysql-shard': { mysql: 3306 },
  'mysql-shard-replica': { mysql: 3306 },
  'mysql-function': { mysql: 3306 },
  'mysql-function-replica': { mysql: 3306 },
  redis: { redis: 6379 },
  memcached: { memcached: 11211 },
  s3: { s3: 9000 },
  setup: {},
  web: { http: 3000 },
  lb: { http: 80, https: 443, admin: 8404 },
  worker: { metrics: 9100 },
  cdn: { http: 8800, admin: 8801 },
  autoscaler: { metrics: 8270 },
  'db-monitor': { metrics: 8280 },
} as const satisfies Record<ServiceKind, Partial<Record<PortName, number>>>;

export const DEFAULT_PORT_BASE = 8000;

/** The autoscaler's native address; its metrics listener is base+270. */
export const AUTOSCALER_HOST = '127.0.0.25';

/** The fault proxy's native address; its proxies listen on base+601.. (fault-proxy.ts). */
export const FAULT_PROXY_HOST = '127.0.0.26';

const POOL_PORT_OFFSET: Record<WebPool, number> = { web: 100, 'read-api': 140, 'write-api': 180 };
const POOL_HOST_OFFSET: Record<WebPool, number> = { web: 30, 'read-api': 70, 'write-api': 110 };

/** Native loopback address and ports of one instance; `index` counts from 1 within its pool. */
export function nativeAddress(
  kind: ServiceKind,
  base: number,
  index = 1,
  pool: WebPool = 'web',
): { host: string; ports: Partial<Record<PortName, number>> } {
  switch (kind) {
    case 'lb':
      return {
        host: '127.0.0.1',
        ports: { http: base + 80, https: base + 443, admin: base + 404 },
      };
    case 'mysql-primary':
      // DB_TOPOLOGY=master-master: the second master (mysql-primary-2) on 127.0.0.20, base+305.
      return index === 2
        ? { host: '127.0.0.20', ports: { mysql: base + 305 } }
        : { host: '127.0.0.11', ports: { mysql: base + 306 } };
    case 'mysql-replica':
      return { host: `127.0.0.${11 + index}`, ports: { mysql: base + 306 + index } };
    case 'mysql-shard':
      // Shard primaries: 127.0.0.190+ on base+310+ (room for 40 shard servers and their replicas).
      return { host: `127.0.0.${189 + index}`, ports: { mysql: base + 309 + index } };
    case 'mysql-shard-replica':
      // Their replicas after them: 127.0.0.198–213 on base+318–333 (`index` counts all of them
      // from 1: shard s's replica r is (s - 1) * MAX_SHARD_REPLICAS + r).
      return { host: `127.0.0.${197 + index}`, ports: { mysql: base + 317 + index } };
    case 'mysql-function':
      // FEDERATION=on: mysql-posts, mysql-media on 127.0.0.14–15, base+360–361 (`index` 1, 2).
      return { host: `127.0.0.${13 + index}`, ports: { mysql: base + 359 + index } };
    case 'mysql-function-replica':
      // Their replicas, 127.0.0.16–19 on base+362–365 (function f's replica r is
      // (f - 1) * MAX_SHARD_REPLICAS + r).
      return { host: `127.0.0.${15 + index}`, ports: { mysql: base + 361 + index } };
    case 'redis':
      return { host: '127.0.0.21', ports: { redis: base + 379 } };
    case 'memcached':
      return { host: '127.0.0.22', ports: { memcached: base + 250 } };
    case 's3':
      return { host: '127.0.0.23', ports: { s3: base + 900 } };
    case 'setup':
      return { host: '127.0.0.1', ports: {} };
    case 'web':
      return {
        host: `127.0.0.${POOL_HOST_OFFSET[pool] + index}`,
        ports: { http: base + POOL_PORT_OFFSET[pool] + index },
      };
    case 'worker':
      return { host: `127.0.0.${150 + index}`, ports: { metrics: base + 230 + index } };
    case 'cdn':
      return { host: '127.0.0.24', ports: { http: base + 800, admin: base + 801 } };
    case 'fault-proxy':
      return { host: FAULT_PROXY_HOST, ports: { admin: base + 600 } };
    case 'autoscaler':
      return { host: AUTOSCALER_HOST, ports: { metrics: base + 270 } };
    case 'db-monitor':
      return { host: '127.0.0.28', ports: { metrics: base + 280 } };
  }
}
