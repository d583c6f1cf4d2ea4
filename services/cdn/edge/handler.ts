/**
 * The public listener's request handler: health, then `/files/<key>` for GET and HEAD. Keys are
 * checked before any lookup; origin failures with nothing usable cached become a JSON 502 (store
 * unreachable) or 504 (store too slow) that names no internals.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logger.ts';
import { keyOfTarget } from '../http/request-key.ts';
import { type Served, sendJson, sendObject } from '../http/respond.ts';
import type { CdnMetrics } from '../metrics.ts';
import { OriginError } from '../origin/origin.ts';
import type { EdgeCache } from './edge-cache.ts';

export interface HandlerDeps {
  readonly cache: EdgeCache;
  readonly metrics: CdnMetrics;
  readonly log: Logger;
  readonly servedBy: string;
  /** Why the edge is not ready (draining), or undefined. */
  readonly notReady: () => string | undefined;
}

function health(req: IncomingMessage, res: ServerResponse, deps: HandlerDeps): boolean {
  if (req.url === '/health/live') {
    sendBody(res, 200, { status: 'alive' });
    return true;
  }
  if (req.url === '/health/ready') {
    const reason = deps.notReady();
    sendBody(
      res,
      reason === undefined ? 200 : 503,
      reason === undefined ? { ready: true } : { ready: false, reason },
    );
    return true;
  }
  return false;
}

function sendBody(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

function originFailure(res: ServerResponse, error: OriginError): Served {
  if (error.failure === 'timeout')
    return sendJson(res, 504, 'CDN_ERR_ORIGIN_TIMEOUT', 'the object store did not answer in time', {
      'x-cache': 'MISS',
    });
  if (error.failure === 'too-large')
    return sendJson(res, 502, 'CDN_ERR_OBJECT_TOO_LARGE', 'the object is too large for the edge', {
      'x-cache': 'MISS',
    });
  return sendJson(res, 502, 'CDN_ERR_ORIGIN_UNAVAILABLE', 'the object store is unavailable', {
    'x-cache': 'MISS',
  });
}

async function serveObject(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HandlerDeps,
): Promise<void> {
  const { metrics } = deps;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, 'CDN_ERR_METHOD', 'only GET and HEAD', { allow: 'GET, HEAD' });
    metrics.request('REFUSED', 0);
    return;
  }
  const target = keyOfTarget(req.url ?? '');
  if (!target.ok) {
    sendJson(res, target.status, target.code, target.message);
    metrics.request('REFUSED', 0);
    return;
  }
  const hit = deps.cache.fresh(target.key);
  if (hit !== undefined) {
    metrics.request('HIT', sendObject(req, res, hit, 'HIT', deps.servedBy).bytes);
    return;
  }
  try {
    const found = await deps.cache.lookup(target.key);
    if (found.kind !== 'object') {
      sendJson(res, 404, 'CDN_ERR_NOT_FOUND', 'no such public object', { 'x-cache': 'MISS' });
      metrics.request(found.kind === 'private' ? 'REFUSED' : 'MISS', 0);
      return;
    }
    const served = sendObject(req, res, found.object, found.state, deps.servedBy);
    metrics.request(found.state, served.bytes);
  } catch (error) {
    metrics.request('ERROR', 0);
    if (error instanceof OriginError) {
      deps.log.warn(
        { key: target.key, failure: error.failure, err: error.message },
        'origin failed',
      );
      originFailure(res, error);
      return;
    }
    deps.log.error({ err: error, key: target.key }, 'unexpected failure');
    if (!res.headersSent) sendJson(res, 500, 'CDN_ERR_INTERNAL', 'internal error');
    else res.destroy();
  }
}

export function createHandler(deps: HandlerDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (health(req, res, deps)) return;
    void serveObject(req, res, deps);
  };
}
