/**
 * Brings the MariaDB tier to the wanted state: the database and accounts on the primary, every
 * replica following the primary with GTID, read-only, and caught up (so the app account it just
 * made exists there too). Observes first, applies only what the pure plans ask for.
 */
import type { Connection } from 'mysql2/promise';
import type { Logger } from '../shared/logger.ts';
import { MASTERS, SECOND_MASTER } from '../shared/topology/masters.ts';
import { waitUntil } from '../shared/wait-until.ts';
import type { Endpoint, SetupConfig } from './config.ts';
import { inDomain } from './gtid-domain.ts';
import { apply, close, rows, waitForMysql } from './mysql.ts';
import { ACCOUNT_HOST, type AccountState, planPrimary } from './primary-plan.ts';
import { planQueryCache } from './query-cache.ts';
import { planReplica } from './replica-plan.ts';
import {
  describeStatus,
  isReplicating,
  parseSlaveStatus,
  type SlaveStatus,
} from './slave-status.ts';
import { planTopologyTable } from './topology-table.ts';

export class SetupError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SetupError';
    this.code = code;
  }
}

async function accountState(
  conn: Connection,
  user: string,
  password: string,
): Promise<AccountState> {
  const found = await rows(
    conn,
    'SELECT authentication_string = PASSWORD(?) AS same FROM mysql.user WHERE User = ? AND Host = ?',
    [password, user, ACCOUNT_HOST],
  );
  const row = found[0];
  if (row === undefined) return { exists: false, passwordMatches: false, grants: [] };
  const grants = await rows(conn, 'SHOW GRANTS FOR ?@?', [user, ACCOUNT_HOST]);
  return {
    exists: true,
    passwordMatches: Number(row.same) === 1,
    grants: grants.map((g) => String(Object.values(g)[0] ?? '')),
  };
}

async function bootstrapPrimary(
  conn: Connection,
  config: SetupConfig,
  log: Logger,
  node = 'primary',
): Promise<number> {
  const schemas = await rows(
    conn,
    'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [config.database],
  );
  const state = {
    databaseExists: schemas.length > 0,
    app: await accountState(conn, config.app.user, config.app.password),
    replication: await accountState(conn, config.replication.user, config.replication.password),
  };
  const plan = planPrimary(state, {
    database: config.database,
    app: config.app,
    replication: config.replication,
  });
  const [table] = await rows(
    conn,
    "SELECT COUNT(*) AS n, @@server_id AS id FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'scaling_lab_control' AND TABLE_NAME = 'topology'",
  );
  plan.push(...planTopologyTable(Number(table?.n) > 0, Number(table?.id)));
  for (const s of plan) {
    log.info({ node }, s.purpose);
    await apply(conn, s);
  }
  return plan.length;
}

/** The query cache size (DB_QUERY_CACHE=on) on one server; returns the statements applied. */
async function sizeQueryCache(
  conn: Connection,
  config: SetupConfig,
  log: Logger,
  node: string,
): Promise<number> {
  const [row] = await rows(conn, 'SELECT @@GLOBAL.query_cache_size AS size');
  const plan = planQueryCache(config.queryCache, Number(row?.size ?? 0));
  for (const s of plan) {
    log.info({ node }, s.purpose);
    await apply(conn, s);
  }
  return plan.length;
}

async function slaveStatus(conn: Connection): Promise<SlaveStatus | undefined> {
  return parseSlaveStatus(await rows(conn, 'SHOW SLAVE STATUS'));
}

/**
 * What one server follows: its source (the primary; a shard server for its replicas; the other
 * master with DB_TOPOLOGY=master-master), how far the source is, and whether it stays read-only.
 */
interface Follow {
  readonly source: Endpoint;
  readonly sourcePos: () => Promise<string>;
  /** false: a master of DB_TOPOLOGY=master-master, writable while it replicates. */
  readonly readOnly: boolean;
}

async function bootstrapReplica(
  node: Endpoint,
  follow: Follow,
  config: SetupConfig,
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  const name = `${node.host}:${node.port}`;
  const source = `${follow.source.host}:${follow.source.port}`;
  const conn = await waitForMysql({ ...node, ...config.root }, config.timeoutMs, signal);
  try {
    const readOnly = await rows(conn, 'SELECT @@GLOBAL.read_only AS ro');
    const plan = planReplica(
      { status: await slaveStatus(conn), readOnly: Number(readOnly[0]?.ro) === 1 },
      {
        primaryHost: follow.source.host,
        primaryPort: follow.source.port,
        user: config.replication.user,
        password: config.replication.password,
        readOnly: follow.readOnly,
      },
    );
    for (const s of plan) {
      log.info({ node: name }, s.purpose);
      await apply(conn, s);
    }
    const sized = await sizeQueryCache(conn, config, log, name);
    let last: SlaveStatus | undefined;
    await waitUntil(
      async () => {
        last = await slaveStatus(conn);
        if (!isReplicating(last)) throw new Error(describeStatus(last));
      },
      { what: `replication on ${name}`, timeoutMs: config.timeoutMs, intervalMs: 200, signal },
    ).catch((error: unknown) => {
      throw new SetupError(
        'SETUP_ERR_REPLICATION',
        `${name} does not replicate from ${source}: ${describeStatus(last)} (${String(error)})`,
      );
    });
    const pos = await follow.sourcePos();
    if (pos !== '') {
      // The server waits up to the setup timeout; the client allows a little longer.
      const waited = await rows(
        conn,
        'SELECT MASTER_GTID_WAIT(?, ?) AS r',
        [pos, config.timeoutMs / 1000],
        config.timeoutMs + 5000,
      );
      if (Number(waited[0]?.r) !== 0)
        throw new SetupError('SETUP_ERR_CATCH_UP', `${name} did not reach GTID ${pos} in time`);
    }
    const ro = await rows(conn, 'SELECT @@GLOBAL.read_only AS ro');
    if ((Number(ro[0]?.ro) === 1) !== follow.readOnly)
      throw new SetupError(
        'SETUP_ERR_READ_ONLY',
        `${name} is ${follow.readOnly ? 'not read-only' : 'read-only, but a master must be writable'}`,
      );
    log.info(
      { node: name, source, gtid: pos },
      follow.readOnly
        ? 'replica follows the primary, read-only, caught up'
        : 'master follows the other master, writable, caught up',
    );
    return plan.length + sized;
  } finally {
    await close(conn);
  }
}

/**
 * DB_TOPOLOGY=master-master: the second master follows the primary (so it gets the database, the
 * accounts and the topology table), then the primary follows the second master. Both stay
 * writable; their GTID domains and AUTO_INCREMENT offsets come from their command lines
 * (services/shared/topology/masters.ts).
 */
async function bootstrapMasters(
  second: Endpoint,
  primaryPos: () => Promise<string>,
  config: SetupConfig,
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  // Each master waits only for the other's own domain: its own transactions come back to it from
  // the other side with its own server id and are skipped, never applied.
  const primaryOwn = async () => inDomain(await primaryPos(), MASTERS[0].gtidDomainId);
  let applied = await bootstrapReplica(
    second,
    { source: config.primary, sourcePos: primaryOwn, readOnly: false },
    config,
    log,
    signal,
  );
  const conn = await waitForMysql({ ...second, ...config.root }, config.timeoutMs, signal);
  try {
    const secondPos = async () =>
      inDomain(
        String((await rows(conn, 'SELECT @@GLOBAL.gtid_binlog_pos AS pos'))[0]?.pos ?? ''),
        SECOND_MASTER.gtidDomainId,
      );
    applied += await bootstrapReplica(
      config.primary,
      { source: second, sourcePos: secondPos, readOnly: false },
      config,
      log,
      signal,
    );
  } finally {
    await close(conn);
  }
  return applied;
}

/**
 * A shard server (SHARDS above 1): a primary of its own, with the same database and accounts, and
 * its replicas (DB_REPLICAS) following it like the directory's follow the directory.
 */
async function bootstrapShard(
  node: Endpoint,
  replicas: readonly Endpoint[],
  config: SetupConfig,
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  const conn = await waitForMysql({ ...node, ...config.root }, config.timeoutMs, signal);
  try {
    const name = `${node.host}:${node.port}`;
    let applied = await bootstrapPrimary(conn, config, log, name);
    applied += await sizeQueryCache(conn, config, log, name);
    const position = async () =>
      String((await rows(conn, 'SELECT @@GLOBAL.gtid_binlog_pos AS pos'))[0]?.pos ?? '');
    const counts = await Promise.all(
      replicas.map((r) =>
        bootstrapReplica(
          r,
          { source: node, sourcePos: position, readOnly: true },
          config,
          log,
          signal,
        ),
      ),
    );
    return applied + counts.reduce((a, b) => a + b, 0);
  } finally {
    await close(conn);
  }
}

/** Returns how many statements were applied (0 on an already bootstrapped tier). */
export async function bootstrapMysql(
  config: SetupConfig,
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  const primary = await waitForMysql(
    { ...config.primary, ...config.root },
    config.timeoutMs,
    signal,
  );
  try {
    let applied = await bootstrapPrimary(primary, config, log);
    applied += await sizeQueryCache(primary, config, log, 'primary');
    const primaryPos = async () =>
      String((await rows(primary, 'SELECT @@GLOBAL.gtid_binlog_pos AS pos'))[0]?.pos ?? '');
    if (config.secondMaster !== undefined)
      applied += await bootstrapMasters(config.secondMaster, primaryPos, config, log, signal);
    const follow: Follow = { source: config.primary, sourcePos: primaryPos, readOnly: true };
    const counts = await Promise.all(
      config.replicas.map((r) => bootstrapReplica(r, follow, config, log, signal)),
    );
    applied += counts.reduce((a, b) => a + b, 0);
    const shards = await Promise.all(
      config.shards.map((s, i) =>
        bootstrapShard(s, config.shardReplicas[i] ?? [], config, log, signal),
      ),
    );
    return applied + shards.reduce((a, b) => a + b, 0);
  } finally {
    await close(primary);
  }
}
