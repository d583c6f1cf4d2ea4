/**
 * Passes over a backend's response head, in order: count it, let passive health see the status,
 * copy the headers that may cross the proxy, then add the LB's own (sticky cookie, HSTS, request
 * id, Connection: close while draining or when the backend answered before the request body had
 * all arrived). Each pass appends to `out`, the head sent to the client.
 */
import { filterResponseHeaders } from '../../headers/response.ts';
import { keepFromSharedCaches } from '../../headers/shared-cache.ts';
import { observeStatus } from '../../health/passive.ts';
import type { Backend } from '../../pools/backend.ts';
import type { RawHeaders } from '../engine.ts';
import type { ProxyRequest } from '../request.ts';

export type HeadPass = (
  r: ProxyRequest,
  b: Backend,
  status: number,
  raw: RawHeaders,
  out: string[],
) => void;

export function countResponse(_r: ProxyRequest, b: Backend, status: number): void {
  const counts = b.counters.responses;
  const cls = status >= 100 && status < 600 ? (status / 100) | 0 : 5;
  counts[cls] = (counts[cls] ?? 0) + 1;
}

/** Gateway failures count toward ejection, while another backend of the pool is healthy. */
export function passiveHealth(r: ProxyRequest, b: Backend, status: number): void {
  if (observeStatus(b.streak, status, r.ctx.config.health.ejectAfterFailures)) {
    if (r.pool.healthy > 1) r.ctx.eject(b, `${b.streak.failures} consecutive 502/504`, true);
  }
}

export function copyHeaders(
  _r: ProxyRequest,
  _b: Backend,
  _status: number,
  raw: RawHeaders,
  out: string[],
): void {
  filterResponseHeaders(raw, out);
}

/**
 * A new (or corrected) sticky cookie when the client's does not name this backend, on a response
 * no shared cache may store (HAProxy's `insert nocache`). None while a fallback pool serves the
 * request: the client keeps its cookie for when its own pool is back.
 */
export function stickyCookie(
  r: ProxyRequest,
  b: Backend,
  status: number,
  _raw: RawHeaders,
  out: string[],
): void {
  if (!r.ctx.config.sticky.enabled || r.stickyValue === b.token || r.pool !== r.routed) return;
  keepFromSharedCaches(out, status);
  out.push('set-cookie', `${r.pool.cookie.needle}${b.token}${r.pool.cookie.suffix}`);
}

export function lbHeaders(
  r: ProxyRequest,
  _b: Backend,
  _status: number,
  _raw: RawHeaders,
  out: string[],
): void {
  const ctx = r.ctx;
  if (ctx.hsts !== null && r.https) out.push('strict-transport-security', ctx.hsts);
  out.push('x-request-id', r.id);
  if (ctx.draining || r.early) out.push('connection', 'close');
}

export const RESPONSE_HEAD: readonly HeadPass[] = [
  countResponse,
  passiveHealth,
  copyHeaders,
  stickyCookie,
  lbHeaders,
];
