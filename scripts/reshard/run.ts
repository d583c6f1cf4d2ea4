/**
 * One reshard, in phases recorded in the directory's `reshard_jobs` (a crashed run is resumed
 * from its phase by running `make reshard` again):
 *
 *  copying  a consistent snapshot of the source (its binlog GTID position recorded) is copied to
 *           the target, then catch-up passes re-copy the recent rows (ids carry their time, so
 *           "rows at or after T" is a primary-key range) until a pass finds few;
 *  fenced   the write pause: the source's write fence is set for just the moving shards (the
 *           UPDATE waits for the writes in flight there; every later one fails and its web server
 *           waits for the new map), a final catch-up copies what those writes committed, the
 *           target's fence is lifted, and one directory transaction flips the map rows, bumps the
 *           map version and records `flipped`;
 *  flipped  after a grace period (web servers re-read the map every SHARD_MAP_REFRESH_MS; a
 *           write with the old map meets the fence and re-reads it at once), the source's copy is
 *           deleted;
 *  done.
 *
 * A catch-up pass reads the rows made at or after the start of the oldest write that could have
 * committed since the previous pass read (nextSince: the oldest InnoDB transaction running then,
 * or, without that view, RESHARD_WINDOW_MS back), so a write whose id was made before a pass and
 * committed after it is still found, whatever the commit order.
 * The final pass runs behind the fence, when no write to the moving shards can still commit.
 * Resuming `copying` starts the copy again; resuming `fenced` re-copies every row of the moving
 * shards (writes to them are stopped, so that copy is exact) and flips.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import {
  formatShardList,
  movedMap,
  parseServer,
  parseShardList,
  planReshard,
  type ReshardPlan,
} from '../../services/shared/shard/reshard-plan.ts';
import { LOGICAL_SHARDS, type ShardMap } from '../../services/shared/shard/shard-map.ts';
import { copyRows, deleteRows } from './copy.ts';

export class ReshardInputError extends Error {
  override name = 'ReshardInputError';
}

export interface ReshardRun {
  readonly directory: Connection;
  /** One connection per shard server, by 0-based index. */
  readonly servers: readonly Connection[];
  /** Each shard server's replicas (DB_REPLICAS), same index: the target's must have the copy. */
  readonly replicas: readonly (readonly Connection[])[];
  /** How long to wait for the target's replicas before the pause (then go on, with a warning). */
  readonly replicaWaitMs: number;
  /** The same wait inside the write pause: short (writes to the moving shards wait meanwhile). */
  readonly pauseReplicaWaitMs: number;
  /** MOVE and TO; both empty resumes an unfinished job. */
  readonly move: string;
  readonly to: string;
  readonly windowMs: number;
  readonly graceMs: number;
  readonly batch: number;
  /** Catch-up passes before the pause at most, and the row count that ends them early. */
  readonly maxPasses: number;
  readonly quietRows: number;
  readonly say: (line: string) => void;
  /** Called after each phase is reached (a test's crash point: RESHARD_CRASH_AFTER). */
  readonly reached?: (phase: 'copied' | 'fenced' | 'flipped') => void;
}

export interface ReshardReport {
  readonly job: number;
  readonly plan: ReshardPlan;
  readonly resumedFrom: string | undefined;
  readonly snapshotGtid: string;
  readonly rowsCopied: number;
  readonly copyMs: number;
  /** From the fence to the flip (undefined when resumed after the flip). */
  readonly pauseMs: number | undefined;
  readonly rowsDeleted: number;
  readonly mapVersion: number;
}

interface JobRow extends RowDataPacket {
  id: number;
  shards: string;
  source: number;
  target: number;
  phase: string;
  snapshot_gtid: string;
  map_version: number | null;
}

const TIMEOUT_MS = 60_000;
/** A replica wait's client timeout beyond the wait itself (MASTER_GTID_WAIT returns -1 on time). */
const WAIT_MARGIN_MS = 5000;

/**
 * Thrown for any error after the write fence was set and before the map flipped: the moving
 * shards stay fenced (their writes answer 503) until `make reshard` finishes the job.
 */
export class ReshardLeftFencedError extends Error {
  constructor(job: number, cause: unknown) {
    super(
      `${cause instanceof Error ? cause.message : String(cause)}; job ${job} left fenced: run \`make reshard\` to finish`,
      { cause },
    );
    this.name = 'ReshardLeftFencedError';
  }
}

async function rows<T extends RowDataPacket>(c: Connection, sql: string, values: unknown[] = []) {
  return (await c.query<T[]>({ sql, timeout: TIMEOUT_MS }, values))[0];
}

async function readMap(directory: Connection): Promise<ShardMap> {
  const found = await rows<RowDataPacket>(
    directory,
    'SELECT logical_shard, server FROM shard_map ORDER BY logical_shard',
  );
  const map = new Array<number>(LOGICAL_SHARDS).fill(-1);
  for (const r of found) map[Number(r.logical_shard)] = Number(r.server);
  return map;
}

/**
 * Where the next catch-up pass must start reading (Unix ms, the source's clock; ids are made from
 * the web servers' clocks on the same host), taken just before a pass reads: a write that commits
 * after this pass read was either not started yet (its id is later than now) or running now, so
 * started no earlier than the oldest transaction InnoDB reports running (INNODB_TRX, whole
 * seconds: one second of slack). Without that view, now − RESHARD_WINDOW_MS.
 */
async function nextSince(c: Connection, windowMs: number): Promise<number> {
  const [r] = await rows<RowDataPacket>(c, 'SELECT UNIX_TIMESTAMP(NOW(3)) * 1000 AS ms');
  const now = Math.floor(Number(r?.ms));
  try {
    const [o] = await rows<RowDataPacket>(
      c,
      'SELECT UNIX_TIMESTAMP(MIN(trx_started)) * 1000 AS ms FROM information_schema.INNODB_TRX',
    );
    const oldest = o?.ms === null || o?.ms === undefined ? now : Math.floor(Number(o.ms));
    return Math.min(now, oldest) - 1000;
  } catch {
    return now - windowMs;
  }
}

async function setPhase(
  directory: Connection,
  job: number,
  phase: string,
  extra = '',
  values: unknown[] = [],
) {
  await directory.query(
    { sql: `UPDATE reshard_jobs SET phase = ?${extra} WHERE id = ?`, timeout: TIMEOUT_MS },
    [phase, ...values, job],
  );
}

/**
 * Waits until the target's replicas have applied everything its primary has written (the copy):
 * reads of the moved users may go to them once the map flips. A replica that does not get there
 * in time is named and left behind (the web servers skip lagging replicas, DB_REPLICA_MAX_LAG).
 */
async function waitForReplicas(
  r: ReshardRun,
  target: number,
  primary: Connection,
  waitMs: number,
): Promise<void> {
  const replicas = r.replicas[target] ?? [];
  if (replicas.length === 0) return;
  const [p] = await rows<RowDataPacket>(primary, 'SELECT @@GLOBAL.gtid_binlog_pos AS pos');
  const pos = String(p?.pos ?? '');
  const started = performance.now();
  // The client waits longer than the server does, so a late replica is an answer (-1), not a
  // client timeout; a replica that fails to answer at all is late too (the run goes on).
  const results = await Promise.all(
    replicas.map(async (c) => {
      const [answer] = await c.query<RowDataPacket[]>(
        { sql: 'SELECT MASTER_GTID_WAIT(?, ?) AS w', timeout: waitMs + WAIT_MARGIN_MS },
        [pos, waitMs / 1000],
      );
      return Number(answer[0]?.w ?? -1);
    }),
  ).catch(() => replicas.map(() => -1));
  const late = results.filter((w) => w !== 0).length;
  r.say(
    late === 0
      ? `mysql-shard-${target + 1}'s ${replicas.length} replicas have the copy (${Math.round(performance.now() - started)} ms)`
      : `WARNING: ${late} of mysql-shard-${target + 1}'s replicas did not reach ${pos} in ${waitMs} ms; going on`,
  );
}

/** The job to run: the unfinished one (which MOVE/TO must match, if given), or a new one. */
async function openJob(r: ReshardRun): Promise<{ job: JobRow; resumed: boolean }> {
  const [open] = await rows<JobRow>(
    r.directory,
    "SELECT * FROM reshard_jobs WHERE phase <> 'done' ORDER BY id LIMIT 1",
  );
  const servers = r.servers.length;
  if (open !== undefined) {
    const asked = r.move === '' && r.to === '' ? undefined : parseShardList(r.move);
    const same =
      asked === undefined ||
      (typeof asked !== 'string' &&
        formatShardList(asked) === open.shards &&
        parseServer(r.to, servers) === open.target);
    if (!same)
      throw new ReshardInputError(
        `reshard job ${open.id} (logical shards ${open.shards} from mysql-shard-${open.source + 1} to mysql-shard-${open.target + 1}) stopped at "${open.phase}": finish it first with \`make reshard\` (no MOVE/TO), then start this one`,
      );
    return { job: open, resumed: true };
  }
  if (r.move === '' || r.to === '')
    throw new ReshardInputError('say what to move: make reshard MOVE=0-15 TO=mysql-shard-2');
  const planned = planReshard(r.move, r.to, await readMap(r.directory), servers);
  if ('error' in planned) throw new ReshardInputError(planned.error);
  const { shards, source, target } = planned.plan;
  const [inserted] = await r.directory.query<import('mysql2/promise').ResultSetHeader>(
    "INSERT INTO reshard_jobs (shards, source, target, phase) VALUES (?, ?, ?, 'copying')",
    [formatShardList(shards), source, target],
  );
  const [job] = await rows<JobRow>(r.directory, 'SELECT * FROM reshard_jobs WHERE id = ?', [
    inserted.insertId,
  ]);
  if (job === undefined) throw new Error('the reshard job vanished after its insert');
  return { job, resumed: false };
}

/** Snapshot copy, then catch-up passes; returns where the final pass starts reading. */
async function copyPhase(
  r: ReshardRun,
  job: number,
  plan: ReshardPlan,
  source: Connection,
  target: Connection,
  tally: { rows: number; ms: number; gtid: string },
): Promise<number> {
  const started = performance.now();
  // Before the snapshot: its own transaction would count as the oldest one running.
  let since = await nextSince(source, r.windowMs);
  await source.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await source.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
  try {
    // The binlog position the snapshot is consistent with, as a GTID position (what a
    // binlog-following catch-up would start from; recorded with the job).
    const status = await rows<RowDataPacket>(source, "SHOW STATUS LIKE 'binlog_snapshot_%'");
    const file = String(
      status.find((s) => s.Variable_name === 'Binlog_snapshot_file')?.Value ?? '',
    );
    const pos = Number(
      status.find((s) => s.Variable_name === 'Binlog_snapshot_position')?.Value ?? 0,
    );
    const [g] = await rows<RowDataPacket>(source, 'SELECT BINLOG_GTID_POS(?, ?) AS gtid', [
      file,
      pos,
    ]).catch(() => [] as RowDataPacket[]);
    tally.gtid = String(g?.gtid ?? '');
    await setPhase(r.directory, job, 'copying', ', snapshot_gtid = ?', [tally.gtid]);
    const copied = await copyRows(source, target, plan.shards, { batch: r.batch });
    tally.rows += copied;
    r.say(`snapshot (GTID ${tally.gtid || 'unknown'}): ${copied} rows copied`);
  } finally {
    await source.query('COMMIT');
  }
  for (let pass = 1; pass <= r.maxPasses; pass++) {
    const next = await nextSince(source, r.windowMs);
    const copied = await copyRows(source, target, plan.shards, { batch: r.batch, sinceMs: since });
    tally.rows += copied;
    since = next;
    r.say(`catch-up pass ${pass}: ${copied} recent rows re-copied`);
    if (copied < r.quietRows) break;
  }
  tally.ms += performance.now() - started;
  return since;
}

export async function runReshard(r: ReshardRun): Promise<ReshardReport> {
  const { job, resumed } = await openJob(r);
  const plan: ReshardPlan = {
    shards: (() => {
      const parsed = parseShardList(job.shards);
      if (typeof parsed === 'string') throw new Error(`job ${job.id}: ${parsed}`);
      return parsed;
    })(),
    source: job.source,
    target: job.target,
  };
  const source = r.servers[plan.source];
  const target = r.servers[plan.target];
  if (source === undefined || target === undefined)
    throw new ReshardInputError(
      `job ${job.id} names mysql-shard-${plan.source + 1} → mysql-shard-${plan.target + 1}, but the stack has ${r.servers.length} shard servers`,
    );
  const list = formatShardList(plan.shards);
  r.say(
    `${resumed ? `resuming job ${job.id} at "${job.phase}"` : `job ${job.id}`}: logical shards ${list} from mysql-shard-${plan.source + 1} to mysql-shard-${plan.target + 1}`,
  );
  const tally = { rows: 0, ms: 0, gtid: job.snapshot_gtid };
  let phase = job.phase;
  let pauseMs: number | undefined;
  let mapVersion = Number(job.map_version ?? 0);
  const inList = plan.shards.join(', ');

  if (phase === 'copying' || phase === 'fenced') {
    let lastPass: number | undefined;
    if (phase === 'copying') {
      lastPass = await copyPhase(r, job.id, plan, source, target, tally);
      // Before the pause: the bulk reaches the target's replicas while writes still run.
      await waitForReplicas(r, plan.target, target, r.replicaWaitMs);
      r.reached?.('copied');
    }
    // The write pause starts: writes to the moving shards on the source stop here.
    const pauseStarted = performance.now();
    await setPhase(r.directory, job.id, 'fenced');
    let final = 0;
    let onTarget = 0;
    try {
      await source.query({ sql: 'SET SESSION innodb_lock_wait_timeout = 20', timeout: TIMEOUT_MS });
      await source.query({
        sql: `UPDATE shard_fence SET fenced = 1 WHERE logical_shard IN (${inList})`,
        timeout: TIMEOUT_MS,
      });
      r.say(
        `fenced logical shards ${list} on mysql-shard-${plan.source + 1} (writes to them wait)`,
      );
      r.reached?.('fenced');
      // Behind the fence nothing changes on the source: the last catch-up (or, resumed, a full copy).
      const copyStarted = performance.now();
      final = await copyRows(source, target, plan.shards, {
        batch: r.batch,
        ...(lastPass === undefined ? {} : { sinceMs: lastPass }),
      });
      tally.rows += final;
      tally.ms += performance.now() - copyStarted;
      await target.query({
        sql: `UPDATE shard_fence SET fenced = 0 WHERE logical_shard IN (${inList})`,
        timeout: TIMEOUT_MS,
      });
      // In the pause: only the last catch-up is left for the replicas to apply; a short wait (the
      // web servers skip a replica that lags, DB_REPLICA_MAX_LAG).
      await waitForReplicas(r, plan.target, target, r.pauseReplicaWaitMs);
      const map = movedMap(await readMap(r.directory), plan);
      onTarget = map.filter((s) => s === plan.target).length;
      await r.directory.beginTransaction();
      try {
        await r.directory.query(
          {
            sql: `UPDATE shard_map SET server = ? WHERE logical_shard IN (${inList})`,
            timeout: TIMEOUT_MS,
          },
          [plan.target],
        );
        await r.directory.query('UPDATE shard_map_version SET version = version + 1 WHERE id = 1');
        const [v] = await rows<RowDataPacket>(
          r.directory,
          'SELECT version FROM shard_map_version WHERE id = 1',
        );
        mapVersion = Number(v?.version ?? 0);
        pauseMs = Math.round(performance.now() - pauseStarted);
        await setPhase(
          r.directory,
          job.id,
          'flipped',
          ', map_version = ?, pause_ms = ?, rows_copied = rows_copied + ?',
          [mapVersion, pauseMs, tally.rows],
        );
        await r.directory.commit();
      } catch (error) {
        await r.directory.rollback().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      throw new ReshardLeftFencedError(job.id, error);
    }
    phase = 'flipped';
    r.reached?.('flipped');
    r.say(
      `flipped: map version ${mapVersion}, logical shards ${list} on mysql-shard-${plan.target + 1} (${onTarget} on it now); final catch-up ${final} rows; write pause ${pauseMs} ms`,
    );
  }
  let rowsDeleted = 0;
  if (phase === 'flipped') {
    r.say(`waiting ${r.graceMs} ms for every web server to read the new map`);
    await new Promise((resolve) => setTimeout(resolve, r.graceMs));
    rowsDeleted = await deleteRows(source, plan.shards, r.batch);
    await setPhase(r.directory, job.id, 'done');
    r.say(
      `cleaned up: ${rowsDeleted} rows of logical shards ${list} deleted from mysql-shard-${plan.source + 1}`,
    );
  }
  return {
    job: job.id,
    plan,
    resumedFrom: resumed ? job.phase : undefined,
    snapshotGtid: tally.gtid,
    rowsCopied: tally.rows,
    copyMs: Math.round(tally.ms),
    pauseMs,
    rowsDeleted,
    mapVersion,
  };
}
