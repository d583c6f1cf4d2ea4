/**
 * Read-your-writes, causally: after a write the client gets a sealed `ryw` cookie holding the GTID
 * position of its writes (see consistency/token.ts). Its reads then carry that position: a replica
 * answers only once it has executed it, otherwise the primary does (db/cluster.ts), and a cached
 * page older than it is not served (cache/cache.ts). This lasts for as long as the replicas lag,
 * not for a fixed time; the cookie's lifetime (READ_YOUR_WRITES_TTL_SECONDS) only bounds how long
 * a client is remembered.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Aside } from '../cache/cache.ts';
import { type GtidPosition, mergeGtid, parseGtid } from '../consistency/gtid.ts';
import type { TokenSealer } from '../consistency/token.ts';
import type { ReadFrom } from '../db/cluster.ts';

export const WRITE_MARK_COOKIE = 'ryw';

export interface ReadPolicy {
  readonly readFrom: ReadFrom;
  readonly cacheEnabled: boolean;
  /** Seals the cookie; undefined when read-your-writes tracking is off. */
  readonly sealer: TokenSealer | undefined;
  readonly markTtlSeconds: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The GTID position the client's own writes reached, from its cookie (undefined: none). */
export function writerPosition(
  request: FastifyRequest,
  policy: ReadPolicy,
): GtidPosition | undefined {
  return policy.sealer?.open(request.cookies[WRITE_MARK_COOKIE], nowSeconds())?.position;
}

/** After a committed write: remembers its GTID position in the client's cookie. */
export function markWrite(
  request: FastifyRequest,
  reply: FastifyReply,
  policy: ReadPolicy,
  gtid: string,
): void {
  const written = parseGtid(gtid);
  if (policy.sealer === undefined || written === undefined || written.length === 0) return;
  const earlier = writerPosition(request, policy);
  const position = (earlier && mergeGtid(earlier, written)) ?? written;
  const token = policy.sealer.seal({ position, expiresAt: nowSeconds() + policy.markTtlSeconds });
  reply.setCookie(WRITE_MARK_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge: policy.markTtlSeconds,
  });
}

/** Sets X-Cache (when a cache is configured) and X-DB (when a database answered). */
export function describeRead(
  reply: FastifyReply,
  result: Aside<unknown>,
  cacheEnabled: boolean,
): void {
  if (cacheEnabled) reply.header('x-cache', result.cache);
  if (result.servedBy !== undefined) reply.header('x-db', result.servedBy);
}
