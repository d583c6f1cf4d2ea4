/**
 * The admin listener (never published): `POST /purge` with `Authorization: Bearer <token>` and a
 * purge body, `GET /metrics` for Prometheus, and health. Purges come from the web app when an
 * object changes or is deleted.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logger.ts';
import type { EdgeCache } from '../edge/edge-cache.ts';
import { sendJson } from '../http/respond.ts';
import type { CdnMetrics } from '../metrics.ts';
import { parsePurgeBody } from './purge-body.ts';

const MAX_BODY = 256 * 1024;

export interface AdminDeps {
  readonly cache: EdgeCache;
  readonly metrics: CdnMetrics;
  readonly log: Logger;
  readonly token: string;
  readonly notReady: () => string | undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function authorized(req: IncomingMessage, token: string): boolean {
  const given = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function purge(req: IncomingMessage, res: ServerResponse, deps: AdminDeps): Promise<void> {
  if (!authorized(req, deps.token)) {
    sendJson(res, 401, 'CDN_ERR_UNAUTHORIZED', 'a valid purge token is required', {
      'www-authenticate': 'Bearer',
    });
    return;
  }
  const text = await readBody(req);
  if (text === undefined) {
    sendJson(res, 413, 'CDN_ERR_BODY_TOO_LARGE', `purge bodies are limited to ${MAX_BODY} bytes`);
    return;
  }
  const body = parsePurgeBody(text);
  if (!body.ok) {
    sendJson(res, 400, 'CDN_ERR_BAD_PURGE', body.message);
    return;
  }
  const purged = deps.cache.purge(body.keys, body.prefixes);
  deps.metrics.purged(purged);
  deps.log.info({ keys: body.keys.length, prefixes: body.prefixes, purged }, 'purge');
  json(res, 200, { purged });
}

async function route(req: IncomingMessage, res: ServerResponse, deps: AdminDeps): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (path === '/purge' && req.method === 'POST') return purge(req, res, deps);
  if (path === '/metrics' && req.method === 'GET') {
    const text = await deps.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
    res.end(text);
    return;
  }
  if (path === '/health/live') return json(res, 200, { status: 'alive' });
  if (path === '/health/ready') {
    const reason = deps.notReady();
    return json(
      res,
      reason === undefined ? 200 : 503,
      reason === undefined ? { ready: true } : { ready: false, reason },
    );
  }
  sendJson(res, 404, 'CDN_ERR_NOT_FOUND', 'no such admin route');
}

export function createAdminHandler(deps: AdminDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res, deps).catch((error: unknown) => {
      deps.log.error({ err: error }, 'admin request failed');
      if (!res.headersSent) sendJson(res, 500, 'CDN_ERR_INTERNAL', 'internal error');
      else res.destroy();
    });
  };
}
