/**
 * DB_TOPOLOGY=master-master, described once: the two writable MariaDB servers, the server ids and
 * GTID domains that keep their two binlog streams apart, and the AUTO_INCREMENT interleaving that
 * keeps the ids each one makes from ever clashing (odd ids on mysql-primary, even ones on
 * mysql-primary-2). The native runner passes these options on the command line; docker-compose.yml
 * writes mysql-primary-2's in its command and mounts mysql-primary's from
 * `infra/mariadb/topology/<DB_TOPOLOGY>.cnf`; a test checks both against this file. Pure.
 */
import type { DbTopology, Flags } from '../config/flags.ts';

export interface Master {
  /** The planned instance name. */
  readonly name: string;
  /** `X-DB` when this master took a write. */
  readonly label: string;
  readonly serverId: number;
  /** Each master writes its own GTID domain, so the two streams never share sequence numbers. */
  readonly gtidDomainId: number;
  /** auto_increment_offset: ids made here are `offset + n × MASTERS.length`. */
  readonly autoIncrementOffset: number;
}

/** mysql-primary keeps server id 1 and GTID domain 0, as in primary-replicas (positions carry over). */
export const MASTERS: readonly [Master, Master] = [
  {
    name: 'mysql-primary',
    label: 'primary',
    serverId: 1,
    gtidDomainId: 0,
    autoIncrementOffset: 1,
  },
  {
    name: 'mysql-primary-2',
    label: 'primary-2',
    // Clear of the replicas (2, 3) and the shard servers (101+).
    serverId: 10,
    gtidDomainId: 2,
    autoIncrementOffset: 2,
  },
];

/** auto_increment_increment on both masters: one step per master. */
export const AUTO_INCREMENT_INCREMENT = MASTERS.length;

export const SECOND_MASTER = MASTERS[1];

/**
 * The options the topology gives one server (mariadbd long options with their values): nothing in
 * primary-replicas; in master-master each master's GTID domain (the second one's; the first keeps
 * the default 0) and its share of AUTO_INCREMENT values.
 */
export function topologyOptions(topology: DbTopology, name: string): string[] {
  if (topology !== 'master-master') return [];
  const master = MASTERS.find((m) => m.name === name);
  if (master === undefined) return [];
  return [
    ...(master.gtidDomainId === 0 ? [] : [`--gtid-domain-id=${master.gtidDomainId}`]),
    `--auto-increment-increment=${AUTO_INCREMENT_INCREMENT}`,
    `--auto-increment-offset=${master.autoIncrementOffset}`,
  ];
}

/** Whether the plan has a second master. */
export const isMasterMaster = (flags: Pick<Flags, 'dbTopology'>): boolean =>
  flags.dbTopology === 'master-master';

/** Which master made an AUTO_INCREMENT id (by its offset): 0 or 1. */
export function masterOfId(id: bigint): number {
  const rest = Number(id % BigInt(AUTO_INCREMENT_INCREMENT));
  const index = MASTERS.findIndex((m) => m.autoIncrementOffset % AUTO_INCREMENT_INCREMENT === rest);
  return Math.max(index, 0);
}
