/**
 * Where the fault proxy (FAULT_PROXY=on, natively) sits: one proxy per dependency of the app
 * processes (MariaDB primary and replicas, Redis, memcached, the S3 store), each on a fixed port
 * of 127.0.0.26 (base+601 primary, base+601+i replica i, base+610 the second master with
 * DB_TOPOLOGY=master-master, base+611 Redis, base+612 memcached, base+613 S3). The web servers and workers connect through them; setup and the runner do not.
 * Pure.
 */
import { FAULT_PROXY_HOST, type PortName, type ServiceKind } from './addresses.ts';
import { SECOND_MASTER } from './masters.ts';

export interface ProxiedDependency {
  readonly kind: ServiceKind;
  readonly name: string;
  readonly host: string;
  readonly ports: Partial<Record<PortName, number>>;
}

export interface FaultRoute {
  /** The dependency's instance name (`mysql-primary`, `redis`, ...): the proxy's name. */
  readonly name: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly upstream: { readonly host: string; readonly port: number };
}

const OFFSET: Partial<Record<ServiceKind, number>> = {
  'mysql-primary': 601,
  redis: 611,
  memcached: 612,
  s3: 613,
};
/** mysql-primary-2 (DB_TOPOLOGY=master-master): the same kind as the primary, its own proxy. */
const SECOND_MASTER_OFFSET = 610;
const PORT_OF: Partial<Record<ServiceKind, PortName>> = {
  'mysql-primary': 'mysql',
  'mysql-replica': 'mysql',
  redis: 'redis',
  memcached: 'memcached',
  s3: 's3',
};

export function faultRoutes(deps: readonly ProxiedDependency[], base: number): FaultRoute[] {
  const routes: FaultRoute[] = [];
  let replica = 0;
  for (const d of deps) {
    const portName = PORT_OF[d.kind];
    const port = portName === undefined ? undefined : d.ports[portName];
    if (port === undefined) continue;
    const offset =
      d.kind === 'mysql-replica'
        ? 601 + ++replica
        : d.name === SECOND_MASTER.name
          ? SECOND_MASTER_OFFSET
          : OFFSET[d.kind];
    if (offset === undefined) continue;
    routes.push({
      name: d.name,
      listen: { host: FAULT_PROXY_HOST, port: base + offset },
      upstream: { host: d.host, port },
    });
  }
  return routes;
}

/** `FAULT_PROXY_ROUTES` for the proxy process. */
export const formatRoutes = (routes: readonly FaultRoute[]): string =>
  routes
    .map((r) => `${r.name}=${r.listen.host}:${r.listen.port}>${r.upstream.host}:${r.upstream.port}`)
    .join(';');
