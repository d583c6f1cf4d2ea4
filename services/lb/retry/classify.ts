/**
 * Maps an upstream error (from either engine) to what happened, and what happened to the status
 * and stable code the client gets when no retry is possible. The one place socket errors become
 * 502/503/504.
 */
export type Failure =
  /** Nothing was sent: the backend refused the connection. */
  | 'refused'
  /** Nothing was sent: the TCP connect did not complete in time. */
  | 'connect-timeout'
  /** The connection broke after the request may have been sent. */
  | 'reset'
  /** The backend took too long to send response headers. */
  | 'headers-timeout'
  /** The backend went silent in the middle of a response body. */
  | 'body-timeout'
  /** Anything else (protocol error from the backend, ...). */
  | 'other';

const REFUSED = new Set(['ECONNREFUSED', 'EADDRNOTAVAIL']);
const CONNECT_TIMEOUT = new Set(['UND_ERR_CONNECT_TIMEOUT', 'LB_CONNECT_TIMEOUT']);
/**
 * ETIMEDOUT, EHOSTUNREACH and ENETUNREACH are raw socket errors that also end a connection the
 * request was already written to (TCP retransmission timeout, ICMP unreachable), and neither
 * engine tells them apart from a failed connect; the engines' own connect failures carry
 * UND_ERR_CONNECT_TIMEOUT / LB_CONNECT_TIMEOUT. So they count as a reset: a POST is never resent.
 */
const RESET = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const HEADERS_TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'LB_HEADERS_TIMEOUT']);
const BODY_TIMEOUT = new Set(['UND_ERR_BODY_TIMEOUT', 'LB_BODY_TIMEOUT']);

export function classify(error: unknown): Failure {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'other';
  if (REFUSED.has(code)) return 'refused';
  if (CONNECT_TIMEOUT.has(code)) return 'connect-timeout';
  if (RESET.has(code)) return 'reset';
  if (HEADERS_TIMEOUT.has(code)) return 'headers-timeout';
  if (BODY_TIMEOUT.has(code)) return 'body-timeout';
  return 'other';
}

export interface ErrorReply {
  readonly status: 502 | 503 | 504;
  readonly code: string;
  readonly message: string;
}

export const NO_BACKEND: ErrorReply = {
  status: 503,
  code: 'LB_ERR_NO_BACKEND',
  message: 'No server is available to handle this request. Try again shortly.',
};

export function replyFor(failure: Failure): ErrorReply {
  switch (failure) {
    case 'refused':
    case 'connect-timeout':
      return {
        status: 503,
        code: 'LB_ERR_UPSTREAM_UNAVAILABLE',
        message: 'No server could be reached. Try again shortly.',
      };
    case 'headers-timeout':
    case 'body-timeout':
      return {
        status: 504,
        code: 'LB_ERR_UPSTREAM_TIMEOUT',
        message: 'The server took too long to respond.',
      };
    case 'reset':
      return {
        status: 502,
        code: 'LB_ERR_UPSTREAM_RESET',
        message: 'The server closed the connection unexpectedly.',
      };
    case 'other':
      return { status: 502, code: 'LB_ERR_BAD_GATEWAY', message: 'Bad gateway.' };
  }
}
