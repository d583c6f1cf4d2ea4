/**
 * `make archive` and `make reshard` never overlap on one stack: the reshard's copy only upserts, so
 * posts the archive deletes from a moving shard during the copy would come back on the target.
 *
 * Each run holds a named lock of its own on the directory (mysql-primary) for as long as it runs
 * (GET_LOCK: the session's, so a run that dies releases it), then checks the other's: both take
 * their own before looking, so two starting at once cannot both miss each other. A reshard job
 * that stopped half-way (a `reshard_jobs` row not `done`) also refuses the archive until
 * `make reshard` has finished it.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';

export type MaintenanceRun = 'archive' | 'reshard';

/** A refusal: another run is in progress or unfinished (the scripts exit with status 2). */
export class MaintenanceBusyError extends Error {
  override readonly name = 'MaintenanceBusyError';
}

const TIMEOUT_MS = 10_000;
const lockName = (database: string, run: MaintenanceRun) => `scaling_lab.${run}.${database}`;

async function one(conn: Connection, sql: string, values: unknown[]) {
  const [rows] = await conn.query<RowDataPacket[]>({ sql, timeout: TIMEOUT_MS }, values);
  return rows[0];
}

/**
 * Claims `run` on the directory connection `conn` (kept open for the whole run) for `database`,
 * or throws MaintenanceBusyError saying what is in the way.
 */
export async function claimMaintenance(
  conn: Connection,
  database: string,
  run: MaintenanceRun,
): Promise<void> {
  const other: MaintenanceRun = run === 'archive' ? 'reshard' : 'archive';
  const mine = await one(conn, 'SELECT GET_LOCK(?, 0) AS got', [lockName(database, run)]);
  if (Number(mine?.got) !== 1)
    throw new MaintenanceBusyError(`another make ${run} is running on this stack`);
  const theirs = await one(conn, 'SELECT IS_USED_LOCK(?) AS holder', [lockName(database, other)]);
  if (theirs?.holder !== null && theirs?.holder !== undefined) {
    await one(conn, 'SELECT RELEASE_LOCK(?) AS released', [lockName(database, run)]);
    throw new MaintenanceBusyError(
      `make ${other} is running on this stack: run make ${run} after it has finished`,
    );
  }
  if (run === 'reshard') return;
  const job = await one(
    conn,
    `SELECT id, phase FROM \`${database.replaceAll('`', '')}\`.reshard_jobs WHERE phase <> 'done' ORDER BY id LIMIT 1`,
    [],
  ).catch((error: unknown) => {
    // No reshard_jobs table: the stack is not sharded (or this database has none), no job.
    if ((error as { errno?: number }).errno === 1146) return undefined;
    throw error;
  });
  if (job !== undefined) {
    await one(conn, 'SELECT RELEASE_LOCK(?) AS released', [lockName(database, run)]);
    throw new MaintenanceBusyError(
      `reshard job ${job.id} is unfinished (stopped at "${job.phase}"): run make reshard to finish it, then make archive`,
    );
  }
}
