/**
 * The admin listener: `/` (stats page), `/stats.json`, `/metrics` (Prometheus: the LB's metrics
 * plus prom-client's process metrics), `/health` (the LB itself is alive).
 */
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry as PromRegistry } from 'prom-client';
import type { Logger } from '../../shared/logger.ts';
import { renderHtml } from './html.ts';
import { renderPrometheus } from './prometheus.ts';
import type { StatsSnapshot } from './stats.ts';

export type StatsSource = () => Promise<StatsSnapshot>;

export function createAdminServer(source: StatsSource, title: string, log: Logger): Server {
  const prom = new PromRegistry();
  collectDefaultMetrics({ register: prom, prefix: 'lb_admin_' });
  return createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
      } else if (path === '/health') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/' || path === '/stats') {
        const html = renderHtml(await source(), title);
        res
          .writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
          })
          .end(html);
      } else if (path === '/stats.json') {
        const body = JSON.stringify(await source());
        res
          .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(body);
      } else if (path === '/metrics') {
        const text = renderPrometheus(await source()) + (await prom.metrics());
        res.writeHead(200, { 'content-type': prom.contentType }).end(text);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    } catch (error) {
      log.error({ err: error }, 'admin request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    }
  });
}
