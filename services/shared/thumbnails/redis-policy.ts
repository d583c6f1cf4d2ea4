/**
 * The queue's Redis must never evict keys: a job evicted under memory pressure is an accepted
 * upload whose thumbnails never come. BullMQ itself only prints a warning; the stack refuses such a
 * Redis, naming what to change. The policy is read from INFO (works where CONFIG is disabled).
 */
import type { Redis } from 'ioredis';

export class EvictingRedisError extends Error {
  readonly code = 'QUEUE_ERR_EVICTING_REDIS';
  constructor(where: string, policy: string) {
    super(
      `the job queue's Redis (REDIS_URL=${where}) has maxmemory-policy ${policy}: queue keys could be evicted and accepted jobs lost. ` +
        'Set maxmemory-policy noeviction (infra/redis/redis.conf does) or point REDIS_URL at a Redis that has it.',
    );
    this.name = 'EvictingRedisError';
  }
}

/** `maxmemory_policy` from the text of INFO (or INFO memory); undefined when absent. */
export function evictionPolicyOf(info: string): string | undefined {
  const line = info.split(/\r?\n/).find((l) => l.startsWith('maxmemory_policy:'));
  return line?.slice('maxmemory_policy:'.length).trim();
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return '(unparseable)';
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

/** BullMQ's own floor. */
const MIN_VERSION = [5, 0, 0] as const;

export function versionTooOld(version: string): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < MIN_VERSION.length; i++) {
    const have = parts[i] ?? 0;
    if (have !== MIN_VERSION[i]) return have < (MIN_VERSION[i] ?? 0);
  }
  return false;
}

/**
 * Throws EvictingRedisError unless the server's policy is noeviction, and an Error when it is
 * older than BullMQ supports. Reads one INFO (server and memory sections).
 */
export async function checkQueueRedis(redis: Redis, url: string): Promise<void> {
  const info = await redis.info();
  const version = /^redis_version:(\S+)/m.exec(info)?.[1] ?? '0';
  if (versionTooOld(version))
    throw new Error(`the job queue needs Redis 5 or newer; REDIS_URL has ${version}`);
  const policy = evictionPolicyOf(info) ?? 'unknown';
  if (policy !== 'noeviction') throw new EvictingRedisError(redactUrl(url), policy);
}
