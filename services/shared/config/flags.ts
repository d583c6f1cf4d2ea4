/**
 * The stage flags of DESIGN.md: one preset per STAGE, every flag settable on its own (an explicit
 * value wins over the preset), cross-flag rules checked in one place. Shared by every service and
 * by the native runner, which passes the resolved flags down to the processes it starts.
 */
import { MAX_POOL_SIZE, MAX_WORKERS } from '../topology/addresses.ts';
import { ConfigError, decimal, type Env, integer, oneOf, type Parser } from './env.ts';

export const STAGES = [1, 2, 3, 4, 5, 6] as const;
export type Stage = (typeof STAGES)[number];

/** The notes' storage engines for the posts table (NDB needs a cluster and is not offered). */
export const POSTS_ENGINES = ['InnoDB', 'MyISAM', 'Aria', 'MEMORY', 'ARCHIVE'] as const;
export type PostsEngine = (typeof POSTS_ENGINES)[number];

export const LB_ALGORITHMS = ['round-robin', 'least-connections', 'random', 'p2c'] as const;
export type LbAlgorithm = (typeof LB_ALGORITHMS)[number];

export interface Flags {
  readonly stage: Stage;
  readonly webReplicas: number;
  readonly readApiReplicas: number;
  readonly writeApiReplicas: number;
  readonly dbReplicas: number;
  readonly dbBox: 'shared' | 'own';
  readonly lbAlgorithm: LbAlgorithm;
  readonly sticky: 'off' | 'cookie';
  readonly sessionStore: 'memory' | 'redis';
  readonly cache: 'off' | 'memcached';
  readonly readFrom: 'primary' | 'replicas';
  readonly storage: 'local' | 's3';
  readonly cdn: 'off' | 'on';
  readonly thumbnails: 'inline' | 'queue';
  /** Thumbnail worker processes; they run only with THUMBNAILS=queue. */
  readonly workerReplicas: number;
  readonly autoscale: 'off' | 'on';
  /** AUTOSCALE=on: each web pool stays between these many servers (its replicas are the start). */
  readonly autoscaleMin: number;
  readonly autoscaleMax: number;
  readonly shards: number;
  /**
   * SHARDS above 1: shard servers started empty (no logical shard in the first map), the free
   * slots `make reshard` moves logical shards onto (`mysql-shard-<SHARDS+1>`…).
   */
  readonly shardSpares: number;
  /**
   * Split by function (plan.ts functionServers): media on a primary of its own, and posts too
   * with SHARDS=1; with SHARDS above 1 the posts are sharded and accounts and orders stay on
   * mysql-primary.
   */
  readonly federation: 'off' | 'on';
  /**
   * SHARDS above 1: how the feed is read. `scatter` asks every shard server and merges;
   * `timeline` reads one precomputed timeline in Redis, written by fan-out when a post is made.
   */
  readonly feed: 'scatter' | 'timeline';
  /** CPU quota of one app box (web, read-API, write-API, worker; the database at stage 1). */
  readonly boxCpus: number;
  /** Per-tier quotas for benchmark profiles; 0 = no quota (the default). */
  readonly dbBoxCpus: number;
  readonly cacheBoxCpus: number;
  readonly lbBoxCpus: number;
  /** MariaDB connections per pool of each web server (MYSQL_POOL_SIZE of the web service). */
  readonly dbPoolSize: number;
  /** MariaDB's own query cache on the servers that serve reads (the notes' MySQL chapter). */
  readonly dbQueryCache: 'off' | 'on';
  /**
   * MariaDB's semi-synchronous replication (AFTER_SYNC): a commit is acknowledged to the client only
   * once a replica has its events, so a promotion after kill -9 of the primary loses nothing.
   */
  readonly dbSemisync: 'off' | 'on';
  /** `auto`: the db-monitor promotes a replica when the writer has been unreachable for a while. */
  readonly dbFailover: 'off' | 'auto';
  /** The posts table's storage engine (services/web/db/posts-engine.ts). */
  readonly postsEngine: PostsEngine;
  /**
   * `master-master`: a second writable MariaDB (mysql-primary-2) replicating with mysql-primary both
   * ways; each user's writes are pinned to one of them (services/shared/topology/masters.ts).
   */
  readonly dbTopology: DbTopology;
}

export const DB_TOPOLOGIES = ['primary-replicas', 'master-master'] as const;
export type DbTopology = (typeof DB_TOPOLOGIES)[number];

type FlagKey = Exclude<keyof Flags, 'stage'>;

/** A tier's CPU quota: 0 (no quota) or a number of CPUs from 0.1 to 64. */
const tierCpus: Parser<number> = {
  expected: '0 (no quota) or a number from 0.1 to 64',
  parse: (raw) => (raw === '0' ? 0 : decimal(0.1, 64).parse(raw)),
};

/** Environment variable name → flag, with the values it accepts. */
export const FLAG_VARIABLES = {
  WEB_REPLICAS: { key: 'webReplicas', parser: integer(1, MAX_POOL_SIZE) },
  READ_API_REPLICAS: { key: 'readApiReplicas', parser: integer(0, MAX_POOL_SIZE) },
  WRITE_API_REPLICAS: { key: 'writeApiReplicas', parser: integer(0, MAX_POOL_SIZE) },
  DB_REPLICAS: { key: 'dbReplicas', parser: integer(0, 2) },
  DB_BOX: { key: 'dbBox', parser: oneOf(['shared', 'own']) },
  LB_ALGORITHM: { key: 'lbAlgorithm', parser: oneOf(LB_ALGORITHMS) },
  STICKY: { key: 'sticky', parser: oneOf(['off', 'cookie']) },
  SESSION_STORE: { key: 'sessionStore', parser: oneOf(['memory', 'redis']) },
  CACHE: { key: 'cache', parser: oneOf(['off', 'memcached']) },
  READ_FROM: { key: 'readFrom', parser: oneOf(['primary', 'replicas']) },
  STORAGE: { key: 'storage', parser: oneOf(['local', 's3']) },
  CDN: { key: 'cdn', parser: oneOf(['off', 'on']) },
  THUMBNAILS: { key: 'thumbnails', parser: oneOf(['inline', 'queue']) },
  WORKER_REPLICAS: { key: 'workerReplicas', parser: integer(1, MAX_WORKERS) },
  AUTOSCALE: { key: 'autoscale', parser: oneOf(['off', 'on']) },
  AUTOSCALE_MIN: { key: 'autoscaleMin', parser: integer(1, MAX_POOL_SIZE) },
  AUTOSCALE_MAX: { key: 'autoscaleMax', parser: integer(1, MAX_POOL_SIZE) },
  SHARDS: { key: 'shards', parser: integer(1, 8) },
  SHARD_SPARES: { key: 'shardSpares', parser: integer(0, 6) },
  FEDERATION: { key: 'federation', parser: oneOf(['off', 'on']) },
  FEED: { key: 'feed', parser: oneOf(['scatter', 'timeline']) },
  BOX_CPUS: { key: 'boxCpus', parser: decimal(0.1, 64) },
  DB_BOX_CPUS: { key: 'dbBoxCpus', parser: tierCpus },
  CACHE_BOX_CPUS: { key: 'cacheBoxCpus', parser: tierCpus },
  LB_BOX_CPUS: { key: 'lbBoxCpus', parser: tierCpus },
  DB_POOL_SIZE: { key: 'dbPoolSize', parser: integer(1, 500) },
  DB_QUERY_CACHE: { key: 'dbQueryCache', parser: oneOf(['off', 'on']) },
  DB_SEMISYNC: { key: 'dbSemisync', parser: oneOf(['off', 'on']) },
  DB_FAILOVER: { key: 'dbFailover', parser: oneOf(['off', 'auto']) },
  POSTS_ENGINE: { key: 'postsEngine', parser: oneOf(POSTS_ENGINES) },
  DB_TOPOLOGY: { key: 'dbTopology', parser: oneOf(DB_TOPOLOGIES) },
} as const satisfies Record<string, { key: FlagKey; parser: Parser<unknown> }>;

export type FlagVariable = keyof typeof FLAG_VARIABLES | 'STAGE';
export const FLAG_VARIABLE_NAMES = ['STAGE', ...Object.keys(FLAG_VARIABLES)] as FlagVariable[];

const stageOne: Omit<Flags, 'stage'> = {
  webReplicas: 1,
  readApiReplicas: 0,
  writeApiReplicas: 0,
  dbReplicas: 0,
  dbBox: 'shared',
  lbAlgorithm: 'round-robin',
  sticky: 'off',
  sessionStore: 'memory',
  cache: 'off',
  readFrom: 'primary',
  storage: 'local',
  cdn: 'off',
  thumbnails: 'inline',
  workerReplicas: 1,
  autoscale: 'off',
  autoscaleMin: 1,
  autoscaleMax: 4,
  shards: 1,
  shardSpares: 0,
  federation: 'off',
  feed: 'scatter',
  boxCpus: 1,
  dbBoxCpus: 0,
  cacheBoxCpus: 0,
  lbBoxCpus: 0,
  dbPoolSize: 10,
  dbQueryCache: 'off',
  dbSemisync: 'off',
  dbFailover: 'off',
  postsEngine: 'InnoDB',
  dbTopology: 'primary-replicas',
};

/** What each stage of the notes switches on, cumulatively. */
export const STAGE_PRESETS: Readonly<Record<Stage, Omit<Flags, 'stage'>>> = (() => {
  const s1 = stageOne;
  const s2 = { ...s1, storage: 's3', dbBox: 'own' } as const;
  const s3 = {
    ...s2,
    webReplicas: 3,
    readApiReplicas: 2,
    writeApiReplicas: 1,
    dbReplicas: 1,
    sticky: 'cookie',
    sessionStore: 'redis',
    cdn: 'on',
  } as const;
  const s4 = { ...s3, dbReplicas: 2, cache: 'memcached', readFrom: 'replicas' } as const;
  const s5 = { ...s4, autoscale: 'on' } as const;
  const s6 = { ...s5, thumbnails: 'queue', workerReplicas: 2, shards: 2 } as const;
  return { 1: s1, 2: s2, 3: s3, 4: s4, 5: s5, 6: s6 };
})();

/**
 * Flag values whose machinery is not built yet. Setting one explicitly is a configuration error that
 * says so; a stage preset that includes one falls back to stage 1's value and reports the gap.
 */
export const UNAVAILABLE: Readonly<Partial<Record<FlagKey, { value: unknown; reason: string }>>> =
  {};

/** The stage `make local` starts when STAGE is not set: the highest one whose own additions exist. */
export const DEFAULT_STAGE: Stage = 4;

function isUnavailable(key: FlagKey, value: unknown): boolean {
  const rule = UNAVAILABLE[key];
  if (rule === undefined) return false;
  return typeof rule.value === 'number' ? Number(value) >= rule.value : value === rule.value;
}

function variableOf(key: FlagKey): string {
  return Object.entries(FLAG_VARIABLES).find(([, v]) => v.key === key)?.[0] ?? key;
}

/** What a stage's preset asks for that is not built yet (each falls back to stage 1's value). */
export function presetGaps(stage: Stage): string[] {
  const preset = STAGE_PRESETS[stage];
  return (Object.keys(preset) as FlagKey[])
    .filter((key) => isUnavailable(key, preset[key]))
    .map((key) => `${variableOf(key)}=${String(preset[key])}: ${UNAVAILABLE[key]?.reason ?? ''}`);
}

/** Combinations that cannot work are errors, naming the variables involved. */
function crossFlagProblems(flags: Flags): string[] {
  const problems: string[] = [];
  if (flags.readFrom === 'replicas' && flags.dbReplicas === 0) {
    problems.push('READ_FROM=replicas needs DB_REPLICAS of at least 1');
  }
  if (flags.dbFailover === 'auto' && flags.dbReplicas === 0) {
    problems.push('DB_FAILOVER=auto needs DB_REPLICAS of at least 1: it promotes a replica');
  }
  if (flags.dbSemisync === 'on' && flags.dbReplicas === 0) {
    problems.push(
      'DB_SEMISYNC=on needs DB_REPLICAS of at least 1: a commit waits for a replica to have it',
    );
  }
  if (flags.cdn === 'on' && flags.storage !== 's3') {
    problems.push('CDN=on needs STORAGE=s3: the CDN fronts the object store');
  }
  if (flags.thumbnails === 'queue' && flags.storage !== 's3') {
    problems.push(
      "THUMBNAILS=queue needs STORAGE=s3: a worker on its own box cannot read an upload on a web server's disk",
    );
  }
  if (flags.readApiReplicas + flags.writeApiReplicas > 0 && flags.sessionStore !== 'redis') {
    problems.push(
      'READ_API_REPLICAS/WRITE_API_REPLICAS above 0 need SESSION_STORE=redis: the API pools must see the sessions made by the web pool',
    );
  }
  if ((flags.readApiReplicas === 0) !== (flags.writeApiReplicas === 0)) {
    problems.push(
      'READ_API_REPLICAS and WRITE_API_REPLICAS are both 0 (no split) or both at least 1',
    );
  }
  if (flags.autoscaleMin > flags.autoscaleMax) {
    problems.push(
      `AUTOSCALE_MIN (${flags.autoscaleMin}) must not exceed AUTOSCALE_MAX (${flags.autoscaleMax})`,
    );
  }
  problems.push(...masterMasterProblems(flags));
  if (flags.federation === 'on' && flags.dbTopology === 'master-master')
    problems.push(
      'FEDERATION=on with DB_TOPOLOGY=master-master: not supported (the function primaries have no second master); use primary-replicas',
    );
  if (flags.shardSpares > 0 && flags.shards < 2)
    problems.push('SHARD_SPARES needs SHARDS above 1: a spare is an empty shard server');
  if (flags.shards + flags.shardSpares > 8)
    problems.push(
      `SHARDS + SHARD_SPARES is at most 8 shard servers (${flags.shards} + ${flags.shardSpares})`,
    );
  if (flags.feed === 'timeline' && flags.shards < 2) {
    problems.push(
      'FEED=timeline needs SHARDS above 1: it replaces the cross-shard scatter-gather (one database walks its feed index in one query)',
    );
  }
  if (flags.postsEngine === 'ARCHIVE') {
    problems.push(
      'POSTS_ENGINE=ARCHIVE: the app cannot run on it: ARCHIVE takes only INSERT and SELECT (no UPDATE, DELETE or foreign key) and no index but one on the AUTO_INCREMENT column, and the feed and per-user pages need their created_at indexes; make bench-db measures it on its own',
    );
  }
  return problems;
}

/**
 * DB_TOPOLOGY=master-master refuses what it does not support, naming why: the two masters are one
 * unsharded tier, and a promotion (manual or DB_FAILOVER=auto) or semi-sync has no single primary
 * to act on.
 */
function masterMasterProblems(flags: Flags): string[] {
  if (flags.dbTopology !== 'master-master') return [];
  const problems: string[] = [];
  if (flags.shards > 1)
    problems.push(
      `DB_TOPOLOGY=master-master with SHARDS=${flags.shards}: not supported (each shard would need its own pair of masters); use SHARDS=1`,
    );
  if (flags.dbFailover === 'auto')
    problems.push(
      "DB_TOPOLOGY=master-master with DB_FAILOVER=auto: not supported (both masters are writable already; the web servers move a dead master's users to the other one, there is no replica to promote)",
    );
  if (flags.dbSemisync === 'on')
    problems.push(
      'DB_TOPOLOGY=master-master with DB_SEMISYNC=on: not supported (semi-sync between the two masters is not built)',
    );
  return problems;
}

/** What each engine other than InnoDB gives up, printed when POSTS_ENGINE picks it. */
export const ENGINE_WARNINGS: Readonly<Partial<Record<PostsEngine, string>>> = {
  MyISAM:
    'POSTS_ENGINE=MyISAM: no transactions (a failed write can leave its post behind), no foreign key, table locks (writers queue behind each other and behind readers), and a kill -9 can leave the table marked crashed until it is repaired',
  Aria: 'POSTS_ENGINE=Aria: crash-safe, but no transactions across tables, no foreign key, and table locks',
  MEMORY:
    'POSTS_ENGINE=MEMORY: every post is lost when a MariaDB server restarts (the replicas empty theirs too), rows are fixed-width (no TEXT/BLOB), the table is capped by max_heap_table_size, no transactions, no foreign key, table locks',
};

/**
 * Combinations that work but show a problem on purpose (the notes' Bob, scattered uploads).
 * The runner prints these so a user knows what to look for.
 */
export function flagWarnings(flags: Flags): string[] {
  const warnings: string[] = [];
  const webServers = flags.webReplicas + flags.readApiReplicas + flags.writeApiReplicas;
  if (flags.sessionStore === 'memory' && flags.sticky === 'off' && flags.webReplicas > 1) {
    warnings.push(
      "SESSION_STORE=memory and STICKY=off with several web servers: logins and carts are lost between requests (the notes' Bob)",
    );
  }
  const engine = ENGINE_WARNINGS[flags.postsEngine];
  if (engine !== undefined) warnings.push(engine);
  if (flags.dbTopology === 'master-master')
    warnings.push(
      "DB_TOPOLOGY=master-master: the two masters replicate asynchronously: each user's writes are pinned to one of them, a master that dies takes the writes it had not yet passed on with it, and rows written on both sides at once diverge (README, master-master)",
    );
  if (flags.storage === 'local' && webServers > 1) {
    warnings.push(
      "STORAGE=local with several web servers: each upload lands on one box's disk only",
    );
  }
  return warnings;
}

/** Resolves STAGE and every flag from the environment. Throws a ConfigError naming each bad variable. */
export function resolveFlags(env: Env, defaultStage: Stage = DEFAULT_STAGE): Flags {
  const problems: string[] = [];
  const stageRaw = env.STAGE;
  let stage: Stage = defaultStage;
  if (stageRaw !== undefined && stageRaw !== '') {
    const parsed = integer(1, STAGES.length).parse(stageRaw);
    if (parsed === undefined)
      problems.push(`STAGE=${JSON.stringify(stageRaw)}: expected an integer from 1 to 6`);
    else stage = parsed as Stage;
  }
  const flags: Record<string, unknown> = { stage };
  const preset = STAGE_PRESETS[stage];
  for (const key of Object.keys(preset) as FlagKey[]) {
    flags[key] = isUnavailable(key, preset[key]) ? stageOne[key] : preset[key];
  }
  for (const [name, { key, parser }] of Object.entries(FLAG_VARIABLES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = (parser as Parser<unknown>).parse(raw);
    if (value === undefined)
      problems.push(`${name}=${JSON.stringify(raw)}: expected ${parser.expected}`);
    else if (isUnavailable(key, value))
      problems.push(`${name}=${raw} is not available: ${UNAVAILABLE[key]?.reason ?? ''}`);
    else flags[key] = value;
  }
  if (problems.length === 0) problems.push(...crossFlagProblems(flags as unknown as Flags));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(flags) as unknown as Flags;
}

/** The flags as environment variables, for passing down to child processes and containers. */
export function flagsToEnv(flags: Flags): Record<FlagVariable, string> {
  const env: Record<string, string> = { STAGE: String(flags.stage) };
  for (const [name, { key }] of Object.entries(FLAG_VARIABLES)) env[name] = String(flags[key]);
  return env as Record<FlagVariable, string>;
}
