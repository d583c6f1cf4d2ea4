/**
 * Which database failures mean what. Two kinds are answered 503 with Retry-After (the request may
 * be retried), anything else is a bug (500):
 * - `down`: the server cannot be reached or stopped answering (refused, reset, connect or reply
 *   timeout, shut down). Only these trip the circuit breaker and move reads to another server.
 * - `busy`: the server is up but the work did not fit (no pooled connection in time, a lock wait
 *   or the server's statement time limit, a read-only primary); `full`: refused without waiting,
 *   the wait queue for connections is full. These never mark a server down: overload is not an
 *   outage.
 */
export type DbFailure = 'down' | 'busy' | 'full';

export class DbUnavailableError extends Error {
  readonly target: string;
  readonly failure: DbFailure;
  /**
   * No statement reached the server (no connection was had: refused, circuit open, pool full), so
   * the work may be sent to another server without any risk of doing it twice.
   */
  readonly unsent: boolean;
  constructor(
    target: string,
    failure: DbFailure,
    reason: string,
    options?: { cause?: unknown; unsent?: boolean },
  ) {
    super(`database ${target} ${failure === 'down' ? 'unavailable' : 'busy'}: ${reason}`, options);
    this.name = 'DbUnavailableError';
    this.target = target;
    this.failure = failure;
    this.unsent = options?.unsent ?? false;
  }
}

/** A server that was down before anything was sent to it: another server may take the work. */
export const downBeforeSending = (error: unknown): boolean =>
  error instanceof DbUnavailableError && error.failure === 'down' && error.unsent;

/**
 * A foreign key named a parent row this server does not have (1452). With DB_TOPOLOGY=master-master
 * that is a new user's first write on the second master before the user's row (signed up on the
 * first) has replicated there: nothing was written (the transaction rolled back), and the other
 * master, which holds the row, may take it.
 */
export const missingParentRow = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { errno?: unknown }).errno === 1452;

/** MariaDB error numbers mysql2 has no code name for (its names are MySQL's). */
const MARIADB_ERRNO: Readonly<Record<number, string>> = {
  1927: 'ER_CONNECTION_KILLED',
  1969: 'ER_STATEMENT_TIMEOUT',
};

const DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  // mysql2's own reply timeout: the server did not answer at all (its own limit answers sooner).
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

const BUSY_CODES = new Set([
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_QUERY_INTERRUPTED',
  'ER_STATEMENT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
  'ER_OPTION_PREVENTS_STATEMENT',
]);

/** What kind of availability failure `error` is, or undefined for a bad query or a bug. */
export function dbFailureOf(error: unknown): DbFailure | undefined {
  if (error instanceof DbUnavailableError) return error.failure;
  if (typeof error !== 'object' || error === null) return undefined;
  const { errno, fatal } = error as { errno?: unknown; fatal?: unknown };
  let { code } = error as { code?: unknown };
  if (typeof errno === 'number') code = MARIADB_ERRNO[errno] ?? code;
  if (typeof code === 'string' && BUSY_CODES.has(code)) return 'busy';
  if ((typeof code === 'string' && DOWN_CODES.has(code)) || fatal === true) return 'down';
  return undefined;
}
