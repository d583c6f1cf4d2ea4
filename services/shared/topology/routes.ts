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
