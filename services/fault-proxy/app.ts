/**
 * The fault proxy's admin API (Toxiproxy's shape, so its clients' habits carry over):
 *   GET    /proxies                         every proxy with its toxics
 *   POST   /proxies/:name        {enabled}  enable or disable (disabled: connection refused)
 *   POST   /proxies/:name/toxics {type, stream, toxicity, attributes, name?}
 *   DELETE /proxies/:name/toxics/:toxic
 *   POST   /reset                           every proxy enabled, every toxic removed
 *   GET    /health/ready
 * Builds the Fastify instance; server.ts listens.
 */
import Fastify from 'fastify';
import type { Logger } from '../shared/logger.ts';
import type { FaultProxy } from './proxy.ts';
import { parseToxic, ToxicError } from './toxics.ts';

const fail = (code: string, message: string) => ({ error: { code, message } });

export function createAdmin(proxies: ReadonlyMap<string, FaultProxy>, log: Logger) {
  const app = Fastify({ loggerInstance: log, disableRequestLogging: true });
  const proxyOf = (name: string) => proxies.get(name);

  app.get('/health/ready', async () => ({ ok: true }));
  app.get('/proxies', async () =>
    Object.fromEntries([...proxies.values()].map((p) => [p.name, p.view()])),
  );
  app.get<{ Params: { name: string } }>('/proxies/:name', async (request, reply) => {
    const proxy = proxyOf(request.params.name);
    return proxy ? proxy.view() : reply.code(404).send(fail('FAULT_ERR_NO_PROXY', 'no such proxy'));
  });
  app.post<{ Params: { name: string }; Body: { enabled?: unknown } }>(
    '/proxies/:name',
    async (request, reply) => {
      const proxy = proxyOf(request.params.name);
      if (!proxy) return reply.code(404).send(fail('FAULT_ERR_NO_PROXY', 'no such proxy'));
      const enabled = request.body?.enabled;
      if (typeof enabled !== 'boolean')
        return reply.code(400).send(fail('FAULT_ERR_BAD_REQUEST', 'enabled must be true or false'));
      await (enabled ? proxy.enable() : proxy.disable());
      log.warn({ proxy: proxy.name, enabled }, 'proxy switched');
      return proxy.view();
    },
  );
  app.post<{ Params: { name: string } }>('/proxies/:name/toxics', async (request, reply) => {
    const proxy = proxyOf(request.params.name);
    if (!proxy) return reply.code(404).send(fail('FAULT_ERR_NO_PROXY', 'no such proxy'));
    try {
      const toxic = parseToxic(request.body);
      proxy.addToxic(toxic);
      log.warn({ proxy: proxy.name, toxic }, 'toxic added');
      return toxic;
    } catch (error) {
      if (!(error instanceof ToxicError)) throw error;
      return reply.code(400).send(fail('FAULT_ERR_BAD_TOXIC', error.message));
    }
  });
  app.delete<{ Params: { name: string; toxic: string } }>(
    '/proxies/:name/toxics/:toxic',
    async (request, reply) => {
      const proxy = proxyOf(request.params.name);
      if (!proxy?.removeToxic(request.params.toxic))
        return reply.code(404).send(fail('FAULT_ERR_NO_TOXIC', 'no such proxy or toxic'));
      log.warn({ proxy: proxy.name, toxic: request.params.toxic }, 'toxic removed');
      return reply.code(204).send();
    },
  );
  app.post('/reset', async (_request, reply) => {
    for (const proxy of proxies.values()) {
      proxy.clearToxics();
      await proxy.enable();
    }
    log.warn('reset: every proxy enabled, no toxics');
    return reply.code(204).send();
  });
  return app;
}
