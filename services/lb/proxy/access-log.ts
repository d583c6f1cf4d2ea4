/**
 * One access-log line per finished request (pino), when access logging is on; sampled if asked:
 * request id, method, path, pool, backend, status, retries, total time and time to response headers.
 */
import type { IncomingMessage } from 'node:http';
import type { ProxyContext } from './context.ts';

export interface AccessEntry {
  readonly id: string;
  readonly req: IncomingMessage;
  readonly pool: string;
  readonly backend: string | undefined;
  readonly status: number;
  readonly retries: number;
  readonly seconds: number;
  /** Until the backend's response headers arrived (retries included); null if none did. */
  readonly headersSeconds: number | null;
}

export function logAccess(ctx: ProxyContext, e: AccessEntry): void {
  const log = ctx.accessLog;
  if (log === null) return;
  const sample = ctx.config.accessLog.sample;
  if (sample < 1 && Math.random() >= sample) return;
  log.info({
    reqId: e.id,
    method: e.req.method,
    path: e.req.url,
    pool: e.pool,
    backend: e.backend,
    status: e.status,
    retries: e.retries,
    ms: Math.round(e.seconds * 1e4) / 10,
    headersMs: e.headersSeconds === null ? null : Math.round(e.headersSeconds * 1e4) / 10,
  });
}
