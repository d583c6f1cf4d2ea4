/**
 * Builds the load balancer from a config object: pools, engine, control plane, and the HTTP(S)
 * and admin servers, none of them listening (server.ts and the tests call listen()).
 * Role `single` runs everything in one process; role `worker` proxies only and takes membership
 * and health from the primary (cluster/), to which it reports passive ejections.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Logger } from '../shared/logger.ts';
import { createAdminServer } from './admin/server.ts';
import { takeSnapshot } from './admin/stats.ts';
import type { LbConfig } from './config/types.ts';
import { createListeners } from './listeners/servers.ts';
import type { Backend } from './pools/backend.ts';
import { ControlPlane } from './pools/control.ts';
import { type Lookup, serverLookup, systemLookup } from './pools/dns.ts';
import { Registry } from './pools/registry.ts';
import { Admission } from './proxy/admission.ts';
import type { ProxyContext } from './proxy/context.ts';
import type { Engine } from './proxy/engine.ts';
import { HttpProxyEngine } from './proxy/engines/http-proxy.ts';
import { UndiciEngine } from './proxy/engines/undici.ts';
import { ADMISSION_EVENTS } from './proxy/forward.ts';
import { RetryBudget } from './retry/budget.ts';
import { createRouter } from './routing/match.ts';

export interface LbOptions {
  readonly logger: Logger;
  readonly role?: 'single' | 'worker';
  /** Resolver for `dns:` targets; defaults to LB_DNS_SERVERS or the system resolver. */
  readonly lookup?: Lookup;
  /** Worker role: tells the primary that a backend failed. */
  readonly reportEject?: (key: string, reason: string, reachable: boolean) => void;
}

export interface Lb {
  readonly config: LbConfig;
  readonly registry: Registry;
  readonly context: ProxyContext;
  /** The control plane (single role only). */
  readonly control: ControlPlane | null;
  /** Serves HTTPS when TLS is on; otherwise null. */
  readonly https: Server | null;
  /** Plain HTTP: redirects to HTTPS when TLS is on, proxies otherwise. */
  readonly http: Server;
  /** Admin listener (single role only). */
  readonly admin: Server | null;
  /** Resolves pools and runs the first health checks (single role). */
  start(): Promise<void>;
  /** Stops accepting, waits for in-flight requests (up to the shutdown timeout), frees everything. */
  close(): Promise<void>;
}

export function defaultLookup(config: LbConfig): Lookup {
  return config.dnsServers.length > 0 ? serverLookup(config.dnsServers) : systemLookup;
}

function createEngine(config: LbConfig): Engine {
  return config.engine === 'undici' ? new UndiciEngine(config) : new HttpProxyEngine(config);
}

export function createLb(config: LbConfig, options: LbOptions): Lb {
  const log = options.logger;
  const role = options.role ?? 'single';
  const registry = new Registry(config);
  const engine = createEngine(config);
  registry.setHooks({ onAdd: (b) => engine.open(b), onRemove: (b) => engine.release(b) });
  const control =
    role === 'single'
      ? new ControlPlane(config, registry, log, options.lookup ?? defaultLookup(config))
      : null;
  const eject = (b: Backend, reason: string, reachable: boolean) => {
    if (control !== null) control.eject(b.key, reason, reachable);
    else if (config.health.intervalMs > 0 && b.up) {
      registry.applyState(b, false, reachable);
      options.reportEject?.(b.key, reason, reachable);
    }
  };
  const ctx: ProxyContext = {
    config,
    registry,
    router: createRouter(
      config.routes,
      registry.pools.map((p) => p.name),
      config.defaultPool,
    ),
    engine,
    admission: new Admission(config.admission, ADMISSION_EVENTS),
    budget: new RetryBudget(config.retry.budgetPercent, config.retry.budgetMinConcurrent),
    accessLog:
      config.accessLog.enabled && config.accessLog.sample > 0 ? log.child({ access: true }) : null,
    log,
    hsts: config.tls && config.hstsMaxAge > 0 ? `max-age=${config.hstsMaxAge}` : null,
    eject,
    rejected: new Map(),
    draining: false,
    idPrefix: `${randomBytes(4).toString('hex')}-`,
    seq: 0,
  };
  const { http, https } = createListeners(ctx, log);
  // A backend that comes back (or joins) takes requests waiting in the queues at once.
  registry.onChange(() => {
    if (ctx.admission.waiting === 0) return;
    process.nextTick(() => {
      for (const b of registry.all()) ctx.admission.slotFreed(b);
    });
  });
  const admin =
    role === 'single'
      ? createAdminServer(
          async () =>
            takeSnapshot(registry, ctx.rejected, 'single', (p) => ctx.admission.queuedIn(p)),
          `load balancer ${config.instance}`,
          log,
        )
      : null;

  return {
    config,
    registry,
    context: ctx,
    control,
    https,
    http,
    admin,
    async start() {
      if (control !== null) await control.start();
    },
    async close() {
      ctx.draining = true;
      const servers = [http, https, admin].filter((s): s is Server => s !== null);
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const s of servers) s.closeIdleConnections();
      const deadline = Date.now() + config.shutdownTimeoutMs;
      while (ctx.budget.active > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
      }
      for (const s of servers) s.closeAllConnections();
      await Promise.all(closed);
      control?.stop();
      await engine.close();
    },
  };
}
