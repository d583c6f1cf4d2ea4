/**
 * The request listener shared by the HTTPS listener (and the plain one when TLS is off):
 * validates the request, routes it to a pool and starts it through the passes (forward.ts). A rejected request gets
 * its 400/431, its connection is closed, and any request already pipelined behind it on the same
 * connection is dropped, so nothing of it can reach a backend.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { inspectRequest } from '../headers/request.ts';
import type { Pool } from '../pools/pool.ts';
import { countRejection, type ProxyContext } from './context.ts';
import { startRequest } from './forward.ts';
import { REJECT_MESSAGES, sendError } from './replies.ts';
import { ProxyRequest } from './request.ts';

const poisoned = new WeakSet<Socket>();

export const isPoisoned = (socket: Socket): boolean => poisoned.has(socket);

/** Marks the connection as finished: nothing more read from it is forwarded. */
export function poison(socket: Socket): void {
  poisoned.add(socket);
}

export function rejectRequest(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
): void {
  countRejection(ctx, code);
  poison(req.socket);
  req.socket.pause();
  sendError(res, status, code, REJECT_MESSAGES[code] ?? 'Bad request.', '', true);
  res.once('finish', () => req.socket.destroySoon());
}

export function createHandler(ctx: ProxyContext, proto: 'http' | 'https') {
  const pools: readonly Pool[] = ctx.registry.pools;
  const maxHeaders = ctx.config.maxHeaders;
  const https = proto === 'https';
  return function handle(req: IncomingMessage, res: ServerResponse): void {
    if (poisoned.has(req.socket)) {
      req.socket.destroy();
      return;
    }
    const method = req.method as string;
    const url = req.url as string;
    const headers: string[] = [];
    const facts = inspectRequest(
      method,
      url,
      req.httpVersionMinor,
      req.rawHeaders,
      maxHeaders,
      headers,
    );
    if (facts.status !== 0) {
      rejectRequest(ctx, req, res, facts.status, facts.code);
      return;
    }
    const pool = pools[ctx.router.route(method, url)] as Pool;
    startRequest(new ProxyRequest(ctx, req, res, pool, https, facts, headers));
  };
}
