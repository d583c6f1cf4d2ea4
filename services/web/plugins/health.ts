/**
 * Liveness and readiness. Ready means this server can do its job: it is not draining and the
 * database its role needs answers — the primary for the write API; any database server for the
 * read API and the full app (reads go on from replicas while the primary is down, and from the
 * primary while replicas are down). A replica, Redis, the object store and the thumbnail queue
 * are optional: their state is reported, never required. Each dependency is probed in the background (one probe at a
 * time each, with a deadline); /health/ready answers at once from what is known, so a slow
 * dependency never makes the readiness answer slow, and a load balancer checking every server
 * never turns its checks into load on the databases. While draining it answers 503 with
 * `X-Draining: true`, which the LB takes as "out of rotation now" (services/lb/health/check.ts).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Turn readiness to 503 (first step of a graceful shutdown). */
    drain(): void;
  }
}

type Status = 'up' | 'down';

interface Dependency {
  readonly name: string;
  readonly probe: () => Promise<unknown>;
  status: Status;
  /** When the running probe started (0 when none runs). */
  probingSince: number;
}

/** Which dependencies a role cannot work without: at least one of them must be up. */
export function isReady(role: 'all' | 'read' | 'write', states: Record<string, Status>): boolean {
  // With DB_TOPOLOGY=master-master either master can take the writes (plugins/masters.ts).
  if (role === 'write') return states['db:primary'] === 'up' || states['db:primary-2'] === 'up';
  return Object.entries(states).some(([name, s]) => name.startsWith('db:') && s === 'up');
}

export interface HealthOptions {
  readonly role: 'all' | 'read' | 'write';
  /** How often each dependency is probed (READY_PROBE_INTERVAL_MS). */
  readonly intervalMs: number;
  /** A probe slower than this marks its dependency down (READY_PROBE_TIMEOUT_MS). */
  readonly timeoutMs: number;
}

async function healthPlugin(app: FastifyInstance, options: HealthOptions): Promise<void> {
  const { role, intervalMs, timeoutMs } = options;
  let draining = false;
  app.decorate('drain', () => {
    draining = true;
  });
  const deps: Dependency[] = [
    // The writer's entry follows promotions (app.db.primary is whichever server writes now).
    { name: `db:${app.db.primary.name}`, probe: () => app.db.primary.rows('SELECT 1') },
    ...app.db.replicas.map((t) => ({ name: `db:${t.name}`, probe: () => t.rows('SELECT 1') })),
    { name: `storage:${app.storage.kind}`, probe: () => app.storage.check() },
    ...(app.hasDecorator('redis') ? [{ name: 'redis', probe: () => app.redis.ping() }] : []),
    ...(app.hasDecorator('thumbnails')
      ? [{ name: 'queue', probe: () => app.thumbnails.ping() }]
      : []),
  ].map((d) => ({ ...d, status: 'down' as Status, probingSince: 0 }));

  /** Starts a probe of `d` unless one runs; one that runs past its deadline marks it down. */
  const probe = (d: Dependency): Promise<void> => {
    const now = Date.now();
    if (d.probingSince !== 0) {
      if (now - d.probingSince > timeoutMs) d.status = 'down';
      return Promise.resolve();
    }
    d.probingSince = now;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        d.status = 'down';
        resolve();
      }, timeoutMs);
    });
    const run = d.probe().then(
      () => {
        d.status = 'up';
      },
      () => {
        d.status = 'down';
      },
    );
    void run.finally(() => {
      clearTimeout(timer);
      d.probingSince = 0;
    });
    return Promise.race([run, deadline]);
  };
  await Promise.all(deps.map(probe));
  const timer = setInterval(() => {
    for (const d of deps) void probe(d);
  }, intervalMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  const report = () => {
    const dependencies = Object.fromEntries(deps.map((d) => [d.name, d.status]));
    return { ready: isReady(role, dependencies), draining: false, dependencies };
  };
  const reportSchema = {
    type: 'object',
    properties: {
      ready: { type: 'boolean' },
      draining: { type: 'boolean' },
      dependencies: {
        type: 'object',
        additionalProperties: { type: 'string', enum: ['up', 'down'] },
      },
    },
  };
  app.get(
    '/health/live',
    {
      config: { access: 'public' },
      logLevel: 'warn',
      schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } },
    },
    async () => ({ status: 'alive' }),
  );
  app.get(
    '/health/ready',
    {
      config: { access: 'public' },
      logLevel: 'warn',
      schema: { response: { 200: reportSchema, 503: reportSchema } },
    },
    async (_request, reply) => {
      if (draining)
        return reply
          .code(503)
          .header('x-draining', 'true')
          .send({ ready: false, draining: true, dependencies: {} });
      const r = report();
      return reply.code(r.ready ? 200 : 503).send(r);
    },
  );
}

export default fp(healthPlugin, { name: 'health', dependencies: ['database', 'storage'] });
