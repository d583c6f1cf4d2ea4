/**
 * Which database failures mean "the database is unavailable right now" (answered 503 with
 * Retry-After, the request may be retried) as opposed to bugs (500).
 */
export class DbUnavailableError extends Error {
  readonly target: string;
  constructor(target: string, reason: string, options?: { cause?: unknown }) {
    super(`database ${target} unavailable: ${reason}`, options);
    this.name = 'DbUnavailableError';
    this.target = target;
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_QUERY_INTERRUPTED',
  'ER_STATEMENT_TIMEOUT',
  'ER_CONNECTION_KILLED',
]);

/** True when `error` is a connection-level or availability failure rather than a bad query. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof DbUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, fatal } = error as { code?: unknown; fatal?: unknown };
  return (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) || fatal === true;
}
