/**
 * A promotion (`make promote`, and the db-monitor with DB_FAILOVER=auto): the most advanced replica
 * becomes the writer, without restarting anything:
 *   1. fence the old primary if it answers (read_only = ON), and let the candidate catch up to it;
 *   2. the candidate stops replicating and becomes writable;
 *   3. the next topology record (epoch + 1, writer = candidate, old primary fenced) is written on
 *      the candidate, from where it replicates to the others;
 *   4. every other replica follows the candidate (GTID slave_pos).
 * Web servers and workers poll the record every second and follow. The old primary stays fenced
 * (every client refuses a server with an older record) until `make rejoin` makes it a replica.
 */
import { type Connection, createConnection, type RowDataPacket } from 'mysql2/promise';
import { parseRecord, TOPOLOGY_TABLE } from '../topology-record.ts';
import { planPromotion, type ServerState } from './plan.ts';

/** The MariaDB servers of a tier and the accounts a promotion needs. */
export interface DbTier {
  /** Every server (the writer and its replicas); serverId 0 when not known. */
  readonly servers: readonly Pick<ServerState, 'name' | 'host' | 'port' | 'serverId'>[];
  readonly rootUser: string;
  readonly rootPassword: string;
  readonly replicationUser: string;
  readonly replicationPassword: string;
}

const TIMEOUT_MS = 3000;
const CATCH_UP_SECONDS = 10;

export function connectAsRoot(
  tier: DbTier,
  s: Pick<ServerState, 'host' | 'port'>,
): Promise<Connection> {
  return createConnection({
    host: s.host,
    port: s.port,
    user: tier.rootUser,
    password: tier.rootPassword,
    connectTimeout: TIMEOUT_MS,
  });
}

export async function q(c: Connection, sql: string, values: unknown[] = [], timeout = TIMEOUT_MS) {
  return (await c.query<RowDataPacket[]>({ sql, timeout }, values))[0];
}

/** What one server says of itself (unchanged `s`, without `up`, when it does not answer). */
export async function observe(tier: DbTier, s: ServerState): Promise<ServerState> {
  try {
    const c = await connectAsRoot(tier, s);
    try {
      const [row] = await q(
        c,
        'SELECT @@read_only AS ro, @@gtid_current_pos AS gtid, @@server_id AS id',
      );
      const [slave] = await q(c, 'SHOW SLAVE STATUS');
      const [rec] = await q(
        c,
        `SELECT CONCAT(epoch, ':', writer_id, ':', fenced) AS r FROM ${TOPOLOGY_TABLE} ORDER BY epoch DESC LIMIT 1`,
      ).catch(() => []);
      return {
        ...s,
        serverId: Number(row?.id ?? s.serverId),
        up: {
          readOnly: Number(row?.ro) === 1,
          gtid: String(row?.gtid ?? ''),
          received: String(slave?.Gtid_IO_Pos ?? ''),
          record: parseRecord(rec?.r),
        },
      };
    } finally {
      await c.end().catch(() => undefined);
    }
  } catch {
    return s;
  }
}

export interface Promoted {
  /** The new writer's instance name. */
  readonly writer: string;
  readonly epoch: number;
  readonly ms: number;
}

/** Promotes the most advanced replica of `tier`; `say` narrates, `reason` goes in the record. */
export async function promote(
  tier: DbTier,
  say: (line: string) => void,
  reason = 'make promote',
): Promise<Promoted> {
  const started = performance.now();
  const states = await Promise.all(tier.servers.map((s) => observe(tier, s)));
  const p = planPromotion(states);
  say(
    `epoch ${p.record.epoch}: writer ${p.oldWriter?.name ?? '?'} (${p.oldWriter?.up ? 'answers' : 'down'})`,
  );
  say(`candidate ${p.candidate.name} at GTID ${p.candidate.up?.gtid ?? '?'}`);
  const candidate = await connectAsRoot(tier, p.candidate);
  try {
    if (p.oldWriter?.up !== undefined) {
      const old = await connectAsRoot(tier, p.oldWriter);
      try {
        await q(old, 'SET GLOBAL read_only = ON');
        const [pos] = await q(old, 'SELECT @@gtid_binlog_pos AS pos');
        say(
          `fenced ${p.oldWriter.name} (read_only); waiting for the candidate to reach ${String(pos?.pos)}`,
        );
        await q(
          candidate,
          'SELECT MASTER_GTID_WAIT(?, ?) AS r',
          [String(pos?.pos ?? ''), CATCH_UP_SECONDS],
          (CATCH_UP_SECONDS + 5) * 1000,
        );
      } finally {
        await old.end().catch(() => undefined);
      }
    }
    // Apply everything already received (with semi-sync, every acknowledged commit is in there)
    // before replication stops: STOP SLAVE would otherwise strand the relay log's tail.
    const received = p.candidate.up?.received ?? '';
    if (received !== '') {
      say(`letting ${p.candidate.name} apply what it received (${received})`);
      await q(
        candidate,
        'SELECT MASTER_GTID_WAIT(?, ?) AS r',
        [received, CATCH_UP_SECONDS],
        (CATCH_UP_SECONDS + 5) * 1000,
      );
    }
    await q(candidate, 'STOP SLAVE');
    await q(candidate, 'RESET SLAVE ALL');
    await q(candidate, 'SET GLOBAL read_only = OFF');
    await q(
      candidate,
      `INSERT INTO ${TOPOLOGY_TABLE} (epoch, writer_id, fenced, reason) VALUES (?, ?, ?, ?)`,
      [p.next.epoch, p.next.writerId, p.next.fencedIds.join(','), reason],
    );
    say(
      `${p.candidate.name} writes (epoch ${p.next.epoch}); fenced: ${p.next.fencedIds.join(',') || 'none'}`,
    );
  } finally {
    await candidate.end().catch(() => undefined);
  }
  for (const f of p.followers) {
    const c = await connectAsRoot(tier, f);
    try {
      await q(c, 'STOP SLAVE');
      await q(
        c,
        'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_CONNECT_RETRY = 2, MASTER_USE_GTID = slave_pos',
        [p.candidate.host, p.candidate.port, tier.replicationUser, tier.replicationPassword],
      );
      await q(c, 'START SLAVE');
      say(`${f.name} follows ${p.candidate.name}`);
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  const ms = performance.now() - started;
  say(`done in ${(ms / 1000).toFixed(2)} s`);
  return { writer: p.candidate.name, epoch: p.next.epoch, ms };
}
