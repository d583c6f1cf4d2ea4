/**
 * The LB's routing rules between the web pools (the notes' Read API / Write API split).
 * Format of `LB_ROUTES`: `pool=METHOD,METHOD:/prefix,/prefix;pool=...`, first match wins, a prefix
 * matches on a path-segment boundary, and anything unmatched goes to the `web` pool.
 * Session-bound routes (login, cart, orders) stay on `web`; the API pools share sessions via Redis.
 */
import type { Flags } from '../config/flags.ts';

export const READ_API_RULE = 'read-api=GET,HEAD:/api/posts,/api/feed,/api/users/,/api/media';
export const WRITE_API_RULE = 'write-api=POST,PUT,PATCH,DELETE:/api/posts,/api/media';

export function lbRoutes(flags: Flags): string {
  if (flags.readApiReplicas === 0 || flags.writeApiReplicas === 0) return '';
  return `${READ_API_RULE};${WRITE_API_RULE}`;
}

/**
 * `LB_POOL_FALLBACK`: the web pool serves every route, so it takes the read-API's or write-API's
 * requests while that pool has no healthy server (HAProxy's `backup`): losing the only write-API
 * server does not stop writes.
 */
export const API_FALLBACK = 'read-api=web;write-api=web';

export function lbFallbacks(flags: Flags): string {
  return lbRoutes(flags) === '' ? '' : API_FALLBACK;
}
