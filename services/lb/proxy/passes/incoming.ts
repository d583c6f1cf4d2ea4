/**
 * Passes run once when a request arrives, in order: count it, take the sticky cookie out (and
 * note which backend it names), and add the LB's forwarding headers.
 */
import { resolveSticky } from '../../sticky/resolve.ts';
import type { ProxyRequest } from '../request.ts';

export type IncomingPass = (r: ProxyRequest) => void;

export function countRequest(r: ProxyRequest): void {
  r.ctx.budget.requestStarted();
  r.pool.counters.requests++;
}

/** Finds our cookie, strips it from the Cookie header sent on, and notes the backend it names. */
export function stickyLookup(r: ProxyRequest): void {
  let rest = r.cookie;
  if (r.ctx.config.sticky.enabled) {
    const sticky = resolveSticky(r.pool, r.cookie);
    rest = sticky.rest;
    r.stickyValue = sticky.value;
    r.sticky = sticky.backend;
  }
  if (rest !== '') r.headers.push('cookie', rest);
}

/** X-Forwarded-For (the peer only), -Proto, -Host and the LB's request id. */
export function forwardingHeaders(r: ProxyRequest): void {
  const ip = r.req.socket.remoteAddress ?? '';
  r.headers.push(
    'x-forwarded-for',
    ip.startsWith('::ffff:') ? ip.slice(7) : ip,
    'x-forwarded-proto',
    r.https ? 'https' : 'http',
    'x-forwarded-host',
    r.host,
    'x-request-id',
    r.id,
  );
}

export const INCOMING: readonly IncomingPass[] = [countRequest, stickyLookup, forwardingHeaders];
