/**
 * The one description of the stack's topology: which services run for a set of flags, where they
 * listen, what they depend on and the environment each one gets. The native runner starts exactly
 * this plan; a test checks docker-compose.yml against the same plan in compose mode.
 */
import type { Flags } from '../config/flags.ts';
import {
  CONTAINER_PORTS,
  MAX_SHARD_REPLICAS,
  nativeAddress,
  type PortName,
  type ServiceKind,
  WEB_POOLS,
  type WebPool,
} from './addresses.ts';
import { plannedSlots, startingSize } from './autoscale.ts';
import type { SecretName } from './constants.ts';
import { composeMariadbOptions, nativeMariadbOptions } from './mariadb-options.ts';
import { isMasterMaster, SECOND_MASTER, topologyOptions } from './masters.ts';
import { secretsOf } from './secrets.ts';
import { serviceEnv } from './service-env.ts';

export {
  AUTOSCALER_SETTINGS,
  DB_MONITOR_SETTINGS,
  SECRET_NAMES,
  type SecretName,
  STACK_CONSTANTS,
  WEB_SETTINGS,
} from './constants.ts';

export type Addressing =
  | { readonly mode: 'native'; readonly portBase: number; readonly stackDir: string }
  | { readonly mode: 'compose' };

export interface PlannedService {
  /** Unique instance name: `web-1`, `read-api-2`, `mysql-replica-1`, `lb`, `worker-1`. */
  readonly name: string;
  readonly kind: ServiceKind;
  /** The docker-compose.yml service this instance is (one per web pool, one for the workers). */
  readonly composeService: string;
  readonly pool?: WebPool;
  /** MariaDB server_id for database instances. */
  readonly serverId?: number;
  /** A replica of a shard server: that server's instance name (`mysql-shard-2`). */
  readonly replicaOf?: string;
  readonly host: string;
  readonly ports: Partial<Record<PortName, number>>;
  /** The box (CPU quota group) this instance runs in; app boxes get BOX_CPUS. */
  readonly box: string;
  readonly appBox: boolean;
  /** The box's CPU quota and the flag it comes from (cpus 0: no quota); null: never a quota. */
  readonly quota: BoxQuota | null;
  /** Runs to completion instead of staying up. */
  readonly oneShot: boolean;
  /**
   * AUTOSCALE=on natively: a planned slot (address, port, box) that is not started with the
   * stack; the autoscaler asks the runner to start it (autoscale.ts).
   */
  readonly standby?: boolean;
  readonly dependsOn: readonly string[];
  readonly secrets: readonly SecretName[];
  readonly env: Readonly<Record<string, string>>;
  /** MariaDB options that follow the flags (mariadb-options.ts); empty for other kinds. */
  readonly serverOptions: readonly string[];
}

export type BoxQuotaVariable = 'BOX_CPUS' | 'DB_BOX_CPUS' | 'CACHE_BOX_CPUS' | 'LB_BOX_CPUS';

export interface BoxQuota {
  readonly variable: BoxQuotaVariable;
  readonly cpus: number;
}

export interface StackPlan {
  readonly flags: Flags;
  readonly services: readonly PlannedService[];
}

/** An S3 endpoint outside the stack used instead of starting one (native: `S3_ENDPOINT=...`). */
export interface ExternalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
}

export interface PlanOptions {
  /** No `s3` service is planned; everything that uses S3 gets this endpoint. */
  readonly externalS3?: ExternalS3;
  /**
   * FAULT_PROXY=on (natively only): a fault proxy between the app processes and every data store,
   * for drills of slow and flaky dependencies (see fault-proxy.ts). Ignored in compose mode.
   */
  readonly faultProxy?: boolean;
}

/** Whether the plan puts the fault proxy in front of the stores. */
export const withFaultProxy = (a: Addressing, options: PlanOptions): boolean =>
  a.mode === 'native' && options.faultProxy === true;

export interface Draft
  extends Omit<
    PlannedService,
    'env' | 'box' | 'appBox' | 'quota' | 'oneShot' | 'secrets' | 'dependsOn' | 'serverOptions'
  > {
  readonly dependsOn?: readonly string[];
}

function place(kind: ServiceKind, a: Addressing, name: string, index = 1, pool: WebPool = 'web') {
  if (a.mode === 'native') return nativeAddress(kind, a.portBase, index, pool);
  return { host: name, ports: { ...CONTAINER_PORTS[kind] } as Partial<Record<PortName, number>> };
}

function drafts(flags: Flags, a: Addressing, options: PlanOptions): Draft[] {
  const out: Draft[] = [];
  out.push({
    name: 'mysql-primary',
    kind: 'mysql-primary',
    composeService: 'mysql-primary',
    serverId: 1,
    ...place('mysql-primary', a, 'mysql-primary'),
  });
  if (isMasterMaster(flags))
    out.push({
      name: SECOND_MASTER.name,
      kind: 'mysql-primary',
      composeService: SECOND_MASTER.name,
      serverId: SECOND_MASTER.serverId,
      ...place('mysql-primary', a, SECOND_MASTER.name, 2),
    });
  for (let i = 1; i <= flags.dbReplicas; i++) {
    const name = `mysql-replica-${i}`;
    out.push({
      name,
      kind: 'mysql-replica',
      composeService: name,
      serverId: 1 + i,
      ...place('mysql-replica', a, name, i),
    });
  }
  out.push(...shardServers(flags, a));
  out.push(...functionServers(flags, a));
  if (needsRedis(flags))
    out.push({
      name: 'redis',
      kind: 'redis',
      composeService: 'redis',
      ...place('redis', a, 'redis'),
    });
  if (flags.cache === 'memcached') {
    out.push({
      name: 'memcached',
      kind: 'memcached',
      composeService: 'memcached',
      ...place('memcached', a, 'memcached'),
    });
  }
  if (flags.storage === 's3' && options.externalS3 === undefined)
    out.push({ name: 's3', kind: 's3', composeService: 's3', ...place('s3', a, 's3') });
  const stores = out.map((d) => d.name);
  out.push({
    name: 'setup',
    kind: 'setup',
    composeService: 'setup',
    ...place('setup', a, 'setup'),
    dependsOn: stores,
  });
  if (withFaultProxy(a, options))
    out.push({
      name: 'fault-proxy',
      kind: 'fault-proxy',
      composeService: 'fault-proxy',
      ...place('fault-proxy', a, 'fault-proxy'),
      dependsOn: stores,
    });
  const front = withFaultProxy(a, options) ? [...stores, 'fault-proxy'] : stores;
  for (const pool of WEB_POOLS) {
    const starting = startingSize(flags, pool);
    const count = a.mode === 'compose' ? Math.min(starting, 1) : plannedSlots(flags, pool);
    for (let i = 1; i <= count; i++) {
      const name = a.mode === 'compose' ? pool : `${pool}-${i}`;
      out.push({
        name,
        kind: 'web',
        composeService: pool,
        pool,
        ...place('web', a, name, i, pool),
        dependsOn: [...front, 'setup'],
        ...(i > starting ? { standby: true } : {}),
      });
    }
  }
  const webs = out.filter((d) => d.kind === 'web' && d.standby !== true).map((d) => d.name);
  out.push({
    name: 'lb',
    kind: 'lb',
    composeService: 'lb',
    ...place('lb', a, 'lb'),
    dependsOn: webs,
  });
  if (flags.dbFailover === 'auto')
    out.push({
      name: 'db-monitor',
      kind: 'db-monitor',
      composeService: 'db-monitor',
      ...place('db-monitor', a, 'db-monitor'),
      dependsOn: ['setup'],
    });
  if (flags.autoscale === 'on')
    out.push({
      name: 'autoscaler',
      kind: 'autoscaler',
      composeService: 'autoscaler',
      ...place('autoscaler', a, 'autoscaler'),
      dependsOn: ['lb'],
    });
  out.push(...workers(flags, a, [...front, 'setup', ...webs]));
  if (flags.cdn === 'on')
    out.push({
      name: 'cdn',
      kind: 'cdn',
      composeService: 'cdn',
      ...place('cdn', a, 'cdn'),
      dependsOn: [...stores, 'setup'],
    });
  return out;
}

/**
 * SHARDS above 1: one MariaDB primary per physical shard (`mysql-shard-1..N`), each followed by
 * DB_REPLICAS replicas of its own (`mysql-shard-N-replica-1..`). The users, their posts and orders
 * live there; mysql-primary stays the directory (accounts, usernames, the shard map, media).
 * Server ids 101+ (shard primaries) and 111+ (their replicas) keep clear of the directory's.
 */
function shardServers(flags: Flags, a: Addressing): Draft[] {
  if (flags.shards < 2) return [];
  // SHARD_SPARES more, started empty: the first map gives them no logical shard.
  return Array.from({ length: flags.shards + flags.shardSpares }, (_, i): Draft[] => {
    const name = shardServerName(i);
    const primary: Draft = {
      name,
      kind: 'mysql-shard',
      composeService: name,
      serverId: 101 + i,
      ...place('mysql-shard', a, name, i + 1),
    };
    const replicas = Array.from({ length: flags.dbReplicas }, (_, r): Draft => {
      const slot = i * MAX_SHARD_REPLICAS + r + 1;
      const replica = shardReplicaName(i, r);
      return {
        name: replica,
        kind: 'mysql-shard-replica',
        composeService: replica,
        serverId: 110 + slot,
        replicaOf: name,
        ...place('mysql-shard-replica', a, replica, slot),
      };
    });
    return [primary, ...replicas];
  }).flat();
}

/** FEDERATION=on: the functions with a primary of their own (accounts and orders stay on mysql-primary). */
export const FEDERATED_FUNCTIONS = ['posts', 'media'] as const;
export type FederatedFunction = (typeof FEDERATED_FUNCTIONS)[number];

/**
 * FEDERATION=on: split by function. `mysql-posts` holds the posts, `mysql-media` the uploads' rows,
 * each a primary of its own GTID domain with DB_REPLICAS replicas (`mysql-posts-replica-1..`);
 * mysql-primary keeps the accounts, the catalog and the orders. With SHARDS above 1 the posts are
 * on the shard servers instead: only mysql-media is planned. Server ids 201+ and 211+.
 */
function functionServers(flags: Flags, a: Addressing): Draft[] {
  if (flags.federation !== 'on') return [];
  return FEDERATED_FUNCTIONS.flatMap((fn, i): Draft[] => {
    if (fn === 'posts' && flags.shards > 1) return [];
    const name = `mysql-${fn}`;
    const primary: Draft = {
      name,
      kind: 'mysql-function',
      composeService: name,
      serverId: 201 + i,
      ...place('mysql-function', a, name, i + 1),
    };
    const replicas = Array.from({ length: flags.dbReplicas }, (_, r): Draft => {
      const slot = i * MAX_SHARD_REPLICAS + r + 1;
      const replica = `${name}-replica-${r + 1}`;
      return {
        name: replica,
        kind: 'mysql-function-replica',
        composeService: replica,
        serverId: 210 + slot,
        replicaOf: name,
        ...place('mysql-function-replica', a, replica, slot),
      };
    });
    return [primary, ...replicas];
  });
}

/** The instance name of replica `replica` (0-based) of physical shard `index` (0-based). */
export const shardReplicaName = (index: number, replica: number): string =>
  `${shardServerName(index)}-replica-${replica + 1}`;

/** The instance name of physical shard `index` (0-based, as in the shard map). */
export const shardServerName = (index: number): string => `mysql-shard-${index + 1}`;

/** Thumbnail workers (THUMBNAILS=queue): after the web servers, which apply the migrations. */
function workers(flags: Flags, a: Addressing, dependsOn: readonly string[]): Draft[] {
  if (flags.thumbnails !== 'queue') return [];
  const count = a.mode === 'compose' ? 1 : flags.workerReplicas;
  return Array.from({ length: count }, (_, i) => {
    const name = a.mode === 'compose' ? 'worker' : `worker-${i + 1}`;
    return {
      name,
      kind: 'worker',
      composeService: 'worker',
      ...place('worker', a, name, i + 1),
      dependsOn,
    };
  });
}

function needsRedis(flags: Flags): boolean {
  return (
    flags.sessionStore === 'redis' || flags.thumbnails === 'queue' || flags.feed === 'timeline'
  );
}

type Placement = Pick<PlannedService, 'box' | 'appBox' | 'quota'>;

/** Which box each instance runs in and the quota flag of that box's tier. */
function boxOf(d: Draft, flags: Flags, firstWeb: string): Placement {
  const app = { variable: 'BOX_CPUS', cpus: flags.boxCpus } as const;
  if (d.kind === 'web' || d.kind === 'worker') return { box: d.name, appBox: true, quota: app };
  if (d.name === 'mysql-primary' && flags.dbBox === 'shared')
    return { box: firstWeb, appBox: true, quota: app };
  const tier = (variable: BoxQuotaVariable, cpus: number): Placement => ({
    box: d.name,
    appBox: false,
    quota: { variable, cpus },
  });
  if (
    d.kind === 'mysql-primary' ||
    d.kind === 'mysql-replica' ||
    d.kind === 'mysql-shard' ||
    d.kind === 'mysql-shard-replica' ||
    d.kind === 'mysql-function' ||
    d.kind === 'mysql-function-replica'
  )
    return tier('DB_BOX_CPUS', flags.dbBoxCpus);
  if (d.kind === 'redis' || d.kind === 'memcached')
    return tier('CACHE_BOX_CPUS', flags.cacheBoxCpus);
  if (d.kind === 'lb') return tier('LB_BOX_CPUS', flags.lbBoxCpus);
  return { box: d.name, appBox: false, quota: null };
}

/**
 * DB_TOPOLOGY's options (masters.ts): natively on every master's command line; in compose only the
 * second master's command has them (it exists only for master-master), mysql-primary's come from
 * the cnf file compose mounts for the topology.
 */
function topologyOptionsIn(flags: Flags, a: Addressing, name: string): string[] {
  if (a.mode === 'compose' && name !== SECOND_MASTER.name) return [];
  return topologyOptions(flags.dbTopology, name);
}

/** Plans the stack for `flags`. Pure: the same inputs always give the same plan. */
export function planStack(flags: Flags, a: Addressing, options: PlanOptions = {}): StackPlan {
  const all = drafts(flags, a, options);
  const firstWeb = all.find((d) => d.kind === 'web')?.name ?? 'web-1';
  const envOf = serviceEnv(flags, a, all, options);
  const services = all.map(
    (d): PlannedService => ({
      ...d,
      ...boxOf(d, flags, firstWeb),
      oneShot: d.kind === 'setup',
      dependsOn: d.dependsOn ?? [],
      secrets: secretsOf(d.kind),
      env: envOf(d),
      serverOptions: [
        ...(a.mode === 'native'
          ? nativeMariadbOptions(flags, d.kind)
          : composeMariadbOptions(d.kind)),
        ...topologyOptionsIn(flags, a, d.name),
      ],
    }),
  );
  return { flags, services };
}
