/**
 * Where a read may be served from, and whether it may come from the cache. A client that wrote
 * recently carries a short-lived `ryw` cookie: until it expires its reads skip the cache and go to
 * the primary, so it always sees its own writes even while replicas lag or cached pages are stale.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Aside } from '../cache/cache.ts';
import type { ReadFrom } from '../db/cluster.ts';

export const RECENT_WRITE_COOKIE = 'ryw';

export interface ReadPolicy {
  readonly readFrom: ReadFrom;
  readonly cacheEnabled: boolean;
  readonly readYourWritesMs: number;
}

export const isRecentWriter = (request: FastifyRequest): boolean =>
  request.cookies[RECENT_WRITE_COOKIE] === '1';

export function readSource(request: FastifyRequest, policy: ReadPolicy): ReadFrom {
  return policy.readFrom === 'replicas' && !isRecentWriter(request) ? 'replicas' : 'primary';
}

export function markRecentWrite(
  request: FastifyRequest,
  reply: FastifyReply,
  policy: ReadPolicy,
): void {
  if ((policy.readFrom === 'primary' && !policy.cacheEnabled) || policy.readYourWritesMs === 0)
    return;
  reply.setCookie(RECENT_WRITE_COOKIE, '1', {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge: Math.ceil(policy.readYourWritesMs / 1000),
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
