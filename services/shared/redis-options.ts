/**
 * ioredis options for clients that serve requests (sessions, adding jobs): a command fails at once
 * while disconnected (no offline queue) or after `commandTimeoutMs` (Redis paused), so a request
 * answers instead of hanging; the client keeps reconnecting with backoff, lazily from connect().
 */
import type { RedisOptions } from 'ioredis';

export const failFastRedis = (commandTimeoutMs: number): RedisOptions => ({
  connectTimeout: 2000,
  commandTimeout: commandTimeoutMs,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  lazyConnect: true,
});
