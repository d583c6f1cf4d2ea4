/**
 * The promotion behind `make promote`: the most advanced replica becomes the writer of a running native stack (found
 * through its stack.json), without restarting anything:
 *   1. fence the old primary if it answers (read_only = ON), and let the candidate catch up to it;
 *   2. the candidate stops replicating and becomes writable;
 *   3. the next topology record (epoch + 1, writer = candidate, old primary fenced) is written on
 *      the candidate, from where it replicates to the others;
 *   4. every other replica follows the candidate (GTID slave_pos).
 * Web servers and workers poll the record every second and follow. The old primary stays fenced
 * (every client refuses a server with an older record) until `make rejoin` makes it a replica.
 */
import { readFileSync } from 'node:fs';
import { type Connection, createConnection, type RowDataPacket } from 'mysql2/promise';
import type { StackFile } from '../../runner/stack/stack-file.ts';
import { parseRecord, TOPOLOGY_TABLE } from '../../services/shared/db/topology-record.ts';
import { planPromotion, type ServerState } from './plan.ts';

const TIMEOUT_MS = 3000;
const CATCH_UP_SECONDS = 10;

async function connect(stack: StackFile, s: ServerState): Promise<Connection> {
  return createConnection({
    host: s.host,
    port: s.port,
    user: stack.mysql.rootUser,
    password: readFileSync(stack.secrets['mysql-root-password'], 'utf8').trim(),
    connectTimeout: TIMEOUT_MS,
  });
}

async function q(c: Connection, sql: string, values: unknown[] = [], timeout = TIMEOUT_MS) {
  return (await c.query<RowDataPacket[]>({ sql, timeout }, values))[0];
}

async function observe(stack: StackFile, s: ServerState): Promise<ServerState> {
  try {
    const c = await connect(stack, s);
    try {
      const [row] = await q(c, 'SELECT @@read_only AS ro, @@gtid_current_pos AS gtid');
      const [slave] = await q(c, 'SHOW SLAVE STATUS');
      const [rec] = await q(
        c,
        `SELECT CONCAT(epoch, ':', writer_id, ':', fenced) AS r FROM ${TOPOLOGY_TABLE} ORDER BY epoch DESC LIMIT 1`,
      ).catch(() => []);
      return {
        ...s,
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

/** Promotes the most advanced replica of the stack described by `stackFile`; `say` narrates. */
export async function promote(stackFile: string, say: (line: string) => void): Promise<Promoted> {
  const started = performance.now();
  const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as StackFile;
  const servers = stack.services
    .filter((s) => s.ports.mysql !== undefined && s.serverId !== null)
    .map((s) => ({
      name: s.name,
      host: s.host,
      port: s.ports.mysql ?? 0,
      serverId: s.serverId ?? 0,
    }));
  const states = await Promise.all(servers.map((s) => observe(stack, s)));
  const p = planPromotion(states);
  say(
    `epoch ${p.record.epoch}: writer ${p.oldWriter?.name ?? '?'} (${p.oldWriter?.up ? 'answers' : 'down'})`,
  );
  say(`candidate ${p.candidate.name} at GTID ${p.candidate.up?.gtid ?? '?'}`);
  const candidate = await connect(stack, p.candidate);
  try {
    if (p.oldWriter?.up !== undefined) {
      const old = await connect(stack, p.oldWriter);
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
      `INSERT INTO ${TOPOLOGY_TABLE} (epoch, writer_id, fenced, reason) VALUES (?, ?, ?, 'make promote')`,
      [p.next.epoch, p.next.writerId, p.next.fencedIds.join(',')],
    );
    say(
      `${p.candidate.name} writes (epoch ${p.next.epoch}); fenced: ${p.next.fencedIds.join(',') || 'none'}`,
    );
  } finally {
    await candidate.end().catch(() => undefined);
  }
  const password = readFileSync(stack.secrets['mysql-replication-password'], 'utf8').trim();
  for (const f of p.followers) {
    const c = await connect(stack, f);
    try {
      await q(c, 'STOP SLAVE');
      await q(
        c,
        'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_CONNECT_RETRY = 2, MASTER_USE_GTID = slave_pos',
        [p.candidate.host, p.candidate.port, stack.mysql.replicationUser, password],
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
