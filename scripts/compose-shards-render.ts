/**
 * The text of a Docker Compose override that adds a plan's shard servers (and, with
 * FEDERATION=on, its function servers) to docker-compose.yml: every MariaDB instance of kind
 * mysql-shard / mysql-function and their replicas, with the server ids and GTID domains the plan
 * gives them, and the app services' addresses taken from the plan's own environment for setup.
 * Pure: the same plan always gives the same bytes (docker-compose.shards.yml is its SHARDS=2
 * output; a unit test compares them byte for byte). scripts/compose-shards.ts does the I/O.
 */
import type { PlannedService, StackPlan } from '../services/shared/topology/plan.ts';

/** docker-compose.yml's services that reach the databases: they get the addresses and wait. */
const APP_SERVICES = ['setup', 'web', 'read-api', 'write-api', 'worker'] as const;
/** docker-compose.yml's services that only wait for the databases. */
const WAITING_SERVICES = ['cdn'] as const;
/** The plan's variables that carry the added servers' addresses, in the file's order. */
const TIER_VARIABLES = [
  'MYSQL_SHARDS',
  'MYSQL_SHARD_REPLICAS',
  'MYSQL_POSTS',
  'MYSQL_POSTS_REPLICAS',
  'MYSQL_MEDIA',
  'MYSQL_MEDIA_REPLICAS',
] as const;

const PRIMARY_KINDS = new Set(['mysql-shard', 'mysql-function']);
const ADDED_KINDS = new Set([
  'mysql-shard',
  'mysql-shard-replica',
  'mysql-function',
  'mysql-function-replica',
]);

/** What the file is generated for, as the header's usage lines show it. */
export interface ComposeShardsRequest {
  readonly shards: number;
  readonly dbReplicas: number;
  readonly federation: boolean;
  /** The file's name, as the usage lines give it. */
  readonly fileName: string;
}

export class ComposeShardsError extends Error {}

/** The added servers in plan order: each primary followed by its replicas. */
export const addedServers = (plan: StackPlan): PlannedService[] =>
  plan.services.filter((s) => ADDED_KINDS.has(s.kind));

/** A Compose variable reference with a default, as docker-compose.yml writes them. */
const composeVariable = (name: string, fallback: string): string => `\${${name}:-${fallback}}`;

function tierOf(plan: StackPlan): [string, string][] {
  const setup = plan.services.find((s) => s.kind === 'setup');
  if (!setup) throw new ComposeShardsError('the plan has no setup service');
  return TIER_VARIABLES.flatMap((v): [string, string][] => {
    const value = setup.env[v];
    return value === undefined ? [] : [[v, value]];
  });
}

function header(req: ComposeShardsRequest, servers: readonly PlannedService[]): string[] {
  const primaries = servers.filter((s) => PRIMARY_KINDS.has(s.kind)).map((s) => s.name);
  const flags = [
    `SHARDS=${req.shards}`,
    ...(req.federation ? ['FEDERATION=on'] : []),
    `DB_REPLICAS=${req.dbReplicas}`,
  ].join(' ');
  const make = [
    `make compose-shards SHARDS=${req.shards}`,
    `DB_REPLICAS=${req.dbReplicas}`,
    ...(req.federation ? ['FEDERATION=on'] : []),
  ].join(' ');
  return [
    `# ${flags} in Docker Compose: servers added to docker-compose.yml.`,
    '# Generated; do not edit. Made by:',
    '#',
    `#   ${make}`,
    '#',
    '# Use with the same flags:',
    '#',
    `#   ${flags} docker compose -f docker-compose.yml -f ${req.fileName} up --build`,
    '#',
    '# The same servers the native runner starts for these flags (services/shared/topology/plan.ts,',
    '# its shardServers and functionServers), each primary of its own GTID domain with its replicas:',
    ...wrap(primaries.join(', '), '#   '),
    '# setup makes them and points each replica at its primary; the app services get their',
    '# addresses (scripts/compose-shards-render.ts writes this file from that plan; a unit test',
    '# checks docker-compose.shards.yml is its SHARDS=2 output and runs the compose checks on others).',
    '# Without the same flags the web servers refuse these addresses: a configuration error naming',
    '# the variable.',
    '',
  ];
}

function wrap(text: string, prefix: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(prefix + line);
  return lines;
}

function serverLines(s: PlannedService): string[] {
  if (s.serverId === undefined) throw new ComposeShardsError(`${s.name} has no server id`);
  const primary = PRIMARY_KINDS.has(s.kind);
  return [
    `  ${s.name}:`,
    '    <<: *shard-db',
    '    command:',
    '      - mariadbd',
    `      - --server-id=${s.serverId}`,
    ...(primary ? [`      - --gtid-domain-id=${s.serverId}`] : []),
    ...s.serverOptions.map((o) => `      - ${o}`),
    '    volumes:',
    `      - ./infra/mariadb/${primary ? 'primary' : 'replica'}.cnf:/etc/mysql/conf.d/scaling-lab.cnf:ro`,
    `      - ${s.name}-data:/var/lib/mysql`,
    '',
  ];
}

/** The worker's database with FEDERATION=on: mysql-media and its replicas (media rows only). */
function workerOverride(servers: readonly PlannedService[]): string[] {
  const media = servers.find((s) => s.name === 'mysql-media');
  if (!media) return [];
  const replicas = servers.filter((s) => s.replicaOf === media.name).map((s) => `${s.name}:3306`);
  return [
    "      # The worker only touches media rows: its database is mysql-media's.",
    `      MYSQL_PRIMARY: "${media.name}:3306"`,
    `      MYSQL_REPLICAS: "${replicas.join(',')}"`,
  ];
}

/** The override file's text for `plan` (compose mode), or an error when it adds no server. */
export function renderComposeShards(plan: StackPlan, req: ComposeShardsRequest): string {
  const servers = addedServers(plan);
  if (servers.length === 0)
    throw new ComposeShardsError('the plan adds no server (SHARDS=1 without FEDERATION=on)');
  const tier = tierOf(plan);
  const out = [
    ...header(req, servers),
    'x-shard-db: &shard-db',
    '  image: mariadb:10.11.19',
    '  restart: unless-stopped',
    `  cpus: "${composeVariable('DB_BOX_CPUS', '0')}"`,
    '  networks: [data]',
    '  expose: ["3306"]',
    '  secrets: [mysql-root-password, mysql-password, mysql-replication-password]',
    '  environment:',
    '    MARIADB_ROOT_PASSWORD_FILE: "/run/secrets/mysql-root-password"',
    '    MARIADB_AUTO_UPGRADE: "1"',
    '  healthcheck:',
    '    test: ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]',
    '    interval: 5s',
    '    timeout: 5s',
    '    retries: 10',
    '    start_period: 60s',
    'x-shard-tier: &shard-tier',
    ...tier.map(([k, v]) => `  ${k}: "${v}"`),
    '',
    'x-shard-deps: &shard-deps',
    ...servers.map((s) => `  ${s.name}: { condition: service_healthy }`),
    '',
    'services:',
    ...servers.flatMap(serverLines),
    ...APP_SERVICES.flatMap((name) => [
      `  ${name}:`,
      '    environment:',
      '      <<: *shard-tier',
      ...(name === 'worker' ? workerOverride(servers) : []),
      '    depends_on:',
      '      <<: *shard-deps',
      '',
    ]),
    ...WAITING_SERVICES.flatMap((name) => [
      `  ${name}:`,
      '    depends_on:',
      '      <<: *shard-deps',
      '',
    ]),
    'volumes:',
    ...servers.map((s) => `  ${s.name}-data: {}`),
  ];
  return `${out.join('\n')}\n`;
}

/** The variables `make compose-shards` reads; the rest of the plan is the default stage's. */
export const REQUEST_VARIABLES = [
  'SHARDS',
  'DB_REPLICAS',
  'READ_FROM',
  'FEDERATION',
  'SHARD_SPARES',
] as const;

/** The checked-in file: SHARDS=2 with the default stage's DB_REPLICAS, no federation. */
export const CHECKED_IN_FILE = 'docker-compose.shards.yml';

/**
 * The file a request writes to: the checked-in docker-compose.shards.yml for its own flags,
 * otherwise docker-compose.shards-<N>[-replicas-<R>][-spares-<S>][-federation].yml (git-ignored).
 */
export function outputFileFor(
  shards: number,
  dbReplicas: number,
  spares: number,
  federation: boolean,
  defaultReplicas: number,
): string {
  const parts = [
    `docker-compose.shards-${shards}`,
    ...(dbReplicas !== defaultReplicas ? [`-replicas-${dbReplicas}`] : []),
    ...(spares > 0 ? [`-spares-${spares}`] : []),
    ...(federation ? ['-federation'] : []),
  ];
  const name = `${parts.join('')}.yml`;
  return name === 'docker-compose.shards-2.yml' ? CHECKED_IN_FILE : name;
}
