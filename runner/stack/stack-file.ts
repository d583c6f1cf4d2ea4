/**
 * `<stackDir>/stack.json`: what a running native stack is, for every tool that talks to it (load
 * tests, drills, integration tests) so nothing guesses ports. The type is the contract; `describe`
 * builds it from the plan and what was started. Pure.
 */
import type { FlagVariable } from '../../services/shared/config/flags.ts';
import { flagsToEnv } from '../../services/shared/config/flags.ts';
import {
  evenShardMap,
  formatShardMap,
  LOGICAL_SHARDS,
} from '../../services/shared/shard/shard-map.ts';
import type { PortName } from '../../services/shared/topology/addresses.ts';
import { memberFile } from '../../services/shared/topology/autoscale.ts';
import {
  type PlannedService,
  type SecretName,
  STACK_CONSTANTS,
  type StackPlan,
} from '../../services/shared/topology/plan.ts';
import type { Boxes } from '../host/boxes.ts';
import { instancePaths, stackPaths } from '../host/paths.ts';
import type { ServiceState } from '../process/supervision/service-states.ts';
import type { PoolState } from '../scaling/pool-scaler.ts';

export const STACK_FILE_VERSION = 1;

export interface StackService {
  readonly name: string;
  readonly kind: PlannedService['kind'];
  readonly pool: PlannedService['pool'] | null;
  readonly host: string;
  readonly ports: Partial<Record<PortName, number>>;
  /** Base URL where the service speaks HTTP(S). */
  readonly url: string | null;
  /** The current process; null when stopped, failed, waiting to restart, or one-shot (setup). */
  readonly pid: number | null;
  /** What the runner's supervisor says now; one-shot services are `finished`. */
  readonly state: ServiceState | 'finished';
  /** Automatic restarts after unexpected exits since the stack started. */
  readonly restarts: number;
  readonly oneShot: boolean;
  readonly serverId: number | null;
  readonly box: string;
  readonly dataDir: string;
  readonly logFile: string;
}

export interface StackFile {
  readonly version: typeof STACK_FILE_VERSION;
  readonly stackDir: string;
  readonly runner: { readonly pid: number; readonly detached: boolean };
  readonly startedAt: string;
  readonly readyInMs: number;
  /** `https://localhost:<lb https port>`; null when the stack has no LB (data-tier test stacks). */
  readonly entry: string | null;
  readonly portBase: number;
  readonly flags: Readonly<Record<FlagVariable, string>>;
  /** The WEB_SETTINGS the user gave the web servers (TIMELINE_LENGTH…); absent in older files. */
  readonly webSettings?: Readonly<Record<string, string>>;
  readonly services: readonly StackService[];
  /**
   * AUTOSCALE=on natively: each scaled pool's member file (which the LB reads) and the instances
   * in it now; slots not in it are standby (state `stopped`). Empty with AUTOSCALE=off.
   */
  readonly pools: readonly (PoolState & { readonly memberFile: string })[];
  readonly boxes: Boxes;
  readonly secrets: Readonly<Record<SecretName, string>>;
  readonly mysql: {
    readonly user: string;
    readonly database: string;
    readonly rootUser: string;
    readonly replicationUser: string;
  };
  /**
   * SHARDS above 1: the shard servers and the map they start with (logical shard ranges →
   * server). The live map is the directory's `shard_map` table (GET /api/shards); null unsharded.
   */
  readonly shards: {
    readonly logicalShards: number;
    readonly directory: string;
    readonly servers: readonly string[];
    /** Each shard server's replicas (DB_REPLICAS of them), by server name. */
    readonly replicas: Readonly<Record<string, readonly string[]>>;
    /** SHARD_SPARES: servers that start with no logical shard (`make reshard` fills them). */
    readonly spares: readonly string[];
    readonly initialMap: string;
  } | null;
  /**
   * FEDERATION=on: which database holds which function (accounts and orders stay on
   * mysql-primary) and their replicas; null otherwise.
   */
  readonly federation: {
    readonly accounts: string;
    /** `mysql-posts`, or `shards` with SHARDS above 1 (the posts are on the shard servers). */
    readonly posts: string;
    readonly media: string;
    readonly replicas: Readonly<Record<string, readonly string[]>>;
  } | null;
  readonly s3: {
    readonly endpoint: string;
    readonly bucket: string;
    readonly region: string;
    readonly accessKeyId: string;
    readonly external: boolean;
  } | null;
}

function urlOf(s: PlannedService): string | null {
  if (s.kind === 'lb' && s.ports.https !== undefined) return `https://localhost:${s.ports.https}`;
  if (s.kind === 'web' && s.ports.http !== undefined) return `http://${s.host}:${s.ports.http}`;
  if (s.kind === 's3' && s.ports.s3 !== undefined) return `http://${s.host}:${s.ports.s3}`;
  if (s.kind === 'cdn' && s.ports.http !== undefined) return `https://${s.host}:${s.ports.http}`;
  if ((s.kind === 'worker' || s.kind === 'autoscaler') && s.ports.metrics !== undefined)
    return `http://${s.host}:${s.ports.metrics}`;
  return null;
}

export interface Supervision {
  readonly state: ServiceState;
  readonly pid: number | null;
  readonly restarts: number;
}

export interface Started {
  readonly pids: ReadonlyMap<string, number>;
  /** The supervisor's view (absent: every long-running service is running with its first pid). */
  readonly supervision?: (name: string) => Supervision | undefined;
  readonly runnerPid: number;
  readonly detached: boolean;
  readonly startedAt: Date;
  readonly readyInMs: number;
  readonly portBase: number;
  /** AUTOSCALE=on: the scaled pools' members now (pool-scaler.ts). */
  readonly pools?: readonly PoolState[];
  readonly boxes: Boxes;
  readonly secrets: Readonly<Record<SecretName, string>>;
  /** The WEB_SETTINGS the user gave the web servers. */
  readonly webSettings?: Readonly<Record<string, string>>;
}

export function describeStack(plan: StackPlan, stackDir: string, started: Started): StackFile {
  const services = plan.services.map((s): StackService => {
    const p = instancePaths(stackDir, s.name);
    const now = s.oneShot ? undefined : started.supervision?.(s.name);
    const firstPid = s.oneShot ? null : (started.pids.get(s.name) ?? null);
    return {
      name: s.name,
      kind: s.kind,
      pool: s.pool ?? null,
      host: s.host,
      ports: s.ports,
      url: urlOf(s),
      pid: now ? now.pid : firstPid,
      state: s.oneShot ? 'finished' : (now?.state ?? 'running'),
      restarts: now?.restarts ?? 0,
      oneShot: s.oneShot,
      serverId: s.serverId ?? null,
      box: s.box,
      dataDir: p.data,
      logFile: p.log,
    };
  });
  const lb = services.find((s) => s.kind === 'lb');
  const anyS3 = plan.services.find((s) => s.env.S3_ENDPOINT !== undefined);
  return {
    version: STACK_FILE_VERSION,
    stackDir: stackPaths(stackDir).stackDir,
    runner: { pid: started.runnerPid, detached: started.detached },
    startedAt: started.startedAt.toISOString(),
    readyInMs: started.readyInMs,
    entry: lb?.url ?? null,
    portBase: started.portBase,
    flags: flagsToEnv(plan.flags),
    webSettings: started.webSettings ?? {},
    services,
    pools: (started.pools ?? []).map((p) => ({ ...p, memberFile: memberFile(stackDir, p.pool) })),
    boxes: started.boxes,
    secrets: started.secrets,
    mysql: {
      user: STACK_CONSTANTS.mysqlUser,
      database: STACK_CONSTANTS.mysqlDatabase,
      rootUser: 'root',
      replicationUser: STACK_CONSTANTS.mysqlReplicationUser,
    },
    shards: shardsOf(plan),
    federation: federationOf(plan),
    s3: anyS3
      ? {
          endpoint: anyS3.env.S3_ENDPOINT ?? '',
          bucket: anyS3.env.S3_BUCKET ?? '',
          region: anyS3.env.S3_REGION ?? '',
          accessKeyId: anyS3.env.S3_ACCESS_KEY_ID ?? '',
          external: !plan.services.some((s) => s.kind === 's3'),
        }
      : null,
  };
}

function federationOf(plan: StackPlan): StackFile['federation'] {
  const servers = plan.services.filter((s) => s.kind === 'mysql-function').map((s) => s.name);
  if (servers.length === 0) return null;
  return {
    accounts: 'mysql-primary',
    posts: servers.includes('mysql-posts') ? 'mysql-posts' : 'shards',
    media: 'mysql-media',
    replicas: Object.fromEntries(
      servers.map((name) => [
        name,
        plan.services.filter((s) => s.replicaOf === name).map((s) => s.name),
      ]),
    ),
  };
}

function shardsOf(plan: StackPlan): StackFile['shards'] {
  const servers = plan.services.filter((s) => s.kind === 'mysql-shard').map((s) => s.name);
  if (servers.length === 0) return null;
  return {
    logicalShards: LOGICAL_SHARDS,
    directory: 'mysql-primary',
    servers,
    replicas: Object.fromEntries(
      servers.map((name) => [
        name,
        plan.services.filter((s) => s.replicaOf === name).map((s) => s.name),
      ]),
    ),
    // SHARD_SPARES: the last servers start empty (the even map spans the first SHARDS).
    spares: servers.slice(plan.flags.shards),
    initialMap: formatShardMap(evenShardMap(plan.flags.shards)),
  };
}
