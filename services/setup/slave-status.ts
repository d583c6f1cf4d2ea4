/**
 * Parsing one row of MariaDB's `SHOW SLAVE STATUS` into the few facts setup and the tests need.
 * Pure: the row comes from the driver as a plain object; a missing or odd field is an error that
 * names the field, never a silent default.
 */

export type ThreadState = 'Yes' | 'No' | 'Connecting' | 'Preparing';

export interface SlaveStatus {
  readonly masterHost: string;
  readonly masterPort: number;
  readonly masterUser: string;
  readonly ioRunning: ThreadState;
  readonly sqlRunning: ThreadState;
  /** `No`, `Current_Pos` or `Slave_Pos`. */
  readonly usingGtid: string;
  readonly lastIoErrno: number;
  readonly lastIoError: string;
  readonly lastSqlErrno: number;
  readonly lastSqlError: string;
  readonly secondsBehindMaster: number | null;
  readonly gtidIoPos: string;
}

export class SlaveStatusError extends Error {
  readonly code = 'SETUP_ERR_SLAVE_STATUS';
}

const THREAD_STATES = new Set<string>(['Yes', 'No', 'Connecting', 'Preparing']);

function str(row: Readonly<Record<string, unknown>>, key: string): string {
  const value = row[key];
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  throw new SlaveStatusError(`SHOW SLAVE STATUS: ${key} is missing or not text`);
}

function num(row: Readonly<Record<string, unknown>>, key: string): number | null {
  const value = row[key];
  if (value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  throw new SlaveStatusError(`SHOW SLAVE STATUS: ${key} is missing or not a number`);
}

function thread(row: Readonly<Record<string, unknown>>, key: string): ThreadState {
  const value = str(row, key);
  if (!THREAD_STATES.has(value))
    throw new SlaveStatusError(`SHOW SLAVE STATUS: ${key}=${JSON.stringify(value)} is unexpected`);
  return value as ThreadState;
}

/** Parses the rows of SHOW SLAVE STATUS: undefined when replication was never configured. */
export function parseSlaveStatus(
  rows: readonly Readonly<Record<string, unknown>>[],
): SlaveStatus | undefined {
  const row = rows[0];
  if (row === undefined) return undefined;
  return {
    masterHost: str(row, 'Master_Host'),
    masterPort: num(row, 'Master_Port') ?? 0,
    masterUser: str(row, 'Master_User'),
    ioRunning: thread(row, 'Slave_IO_Running'),
    sqlRunning: thread(row, 'Slave_SQL_Running'),
    usingGtid: str(row, 'Using_Gtid'),
    lastIoErrno: num(row, 'Last_IO_Errno') ?? 0,
    lastIoError: str(row, 'Last_IO_Error'),
    lastSqlErrno: num(row, 'Last_SQL_Errno') ?? 0,
    lastSqlError: str(row, 'Last_SQL_Error'),
    secondsBehindMaster: num(row, 'Seconds_Behind_Master'),
    gtidIoPos: str(row, 'Gtid_IO_Pos'),
  };
}

/** Both replication threads run. */
export const isReplicating = (s: SlaveStatus | undefined): boolean =>
  s !== undefined && s.ioRunning === 'Yes' && s.sqlRunning === 'Yes';

/** A short description of why replication is not running, for error messages. */
export function describeStatus(s: SlaveStatus | undefined): string {
  if (s === undefined) return 'replication is not configured';
  const parts = [`io=${s.ioRunning}`, `sql=${s.sqlRunning}`];
  if (s.lastIoErrno !== 0) parts.push(`io error ${s.lastIoErrno}: ${s.lastIoError}`);
  if (s.lastSqlErrno !== 0) parts.push(`sql error ${s.lastSqlErrno}: ${s.lastSqlError}`);
  return parts.join(', ');
}
