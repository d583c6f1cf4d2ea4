/**
 * ioredis options for clients that serve requests (sessions, adding jobs): a command fails at once
 * while disconnected (no offline queue) or after `commandTimeoutMs` (Redis paused), so a request
 * answers instead of hanging; the client keeps reconnecting with backoff, lazily from connect().
 *
 * A connection that has waited twice `commandTimeoutMs` for a reply without a byte arriving is
 * closed and opened again (`socketTimeout`; twice, so a pause about as long as one command timeout
 * does not cost a reconnect). ioredis matches replies to commands in order and a timed-out
 * command stays in line: when a link drops what was sent (a blackhole), the replies to the dropped
 * commands never come, every later reply is taken for an earlier command, and without this every
 * later command would time out for as long as the connection stays open.
 */
import type { RedisOptions } from 'ioredis';

export const failFastRedis = (commandTimeoutMs: number): RedisOptions => ({
  connectTimeout: 2000,
  commandTimeout: commandTimeoutMs,
  socketTimeout: 2 * commandTimeoutMs,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  lazyConnect: true,
});
