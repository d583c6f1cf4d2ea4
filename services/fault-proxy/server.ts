/**
 * The fault proxy process (FAULT_PROXY=on, natively): parses configuration once, opens one proxy
 * per route and the admin API, and owns graceful shutdown (SIGTERM/SIGINT: stop listening, drop
 * the proxied connections, exit 0; a second signal exits 1 at once).
 */
import { ConfigError } from '../shared/config/env.ts';
import { createLogger } from '../shared/logger.ts';
import { createAdmin } from './app.ts';
import { type FaultProxyConfig, loadFaultProxyConfig } from './config.ts';
import { FaultProxy } from './proxy.ts';

async function main(): Promise<void> {
  let config: FaultProxyConfig;
  try {
    config = loadFaultProxyConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`fault-proxy: ${error.message}\n`);
    process.exit(2);
  }
  const log = createLogger({
    service: 'fault-proxy',
    instance: 'fault-proxy',
    level: config.logLevel,
  });
  const proxies = new Map(
    config.routes.map((r) => [r.name, new FaultProxy(r.name, r.listen, r.upstream)]),
  );
  for (const proxy of proxies.values()) await proxy.enable();
  const admin = createAdmin(proxies, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'stopping');
    Promise.all([...proxies.values()].map((p) => p.disable()))
      .then(() => admin.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await admin.listen({ host: config.host, port: config.adminPort });
  log.info({ proxies: [...proxies.values()].map((p) => p.view()) }, 'fault proxy ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`fault-proxy: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
