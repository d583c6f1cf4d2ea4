/**
 * Liveness and readiness. Ready means this server can answer: it is not draining and at least one
 * database server (primary or replica) answers, since reads go on from replicas while the primary
 * is down. Every dependency's state is listed in the body. Checks are cached for a second so
 * health-checking load balancers cannot turn them into load.
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
type Report = { ready: boolean; draining: boolean; dependencies: Record<string, Status> };

const CACHE_MS = 1000;
const CHECK_TIMEOUT_MS = 1000;

async function probe(check: () => Promise<unknown>): Promise<Status> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Status>((resolve) => {
    timer = setTimeout(() => resolve('down'), CHECK_TIMEOUT_MS);
  });
  const result = check().then(
    () => 'up' as const,
    () => 'down' as const,
  );
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function healthPlugin(app: FastifyInstance): Promise<void> {
  let draining = false;
  let cached: { at: number; report: Report } | undefined;
  app.decorate('drain', () => {
    draining = true;
  });

  const check = async (): Promise<Report> => {
    const checks: [string, () => Promise<unknown>][] = [
      ...[app.db.primary, ...app.db.replicas].map((t): [string, () => Promise<unknown>] => [
        `db:${t.name}`,
        () => t.rows('SELECT 1'),
      ]),
      [`storage:${app.storage.kind}`, () => app.storage.check()],
    ];
    if (app.hasDecorator('redis')) checks.push(['redis', () => app.redis.ping()]);
    if (app.hasDecorator('thumbnails')) checks.push(['queue', () => app.thumbnails.ping()]);
    const states = await Promise.all(
      checks.map(async ([name, run]) => [name, await probe(run)] as const),
    );
    const dependencies = Object.fromEntries(states);
    const anyDb = states.some(([name, state]) => name.startsWith('db:') && state === 'up');
    return { ready: anyDb, draining: false, dependencies };
  };

  const liveSchema = {
    response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
  };
  const report = {
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
    { config: { access: 'public' }, logLevel: 'warn', schema: liveSchema },
    async () => ({
      status: 'alive',
    }),
  );

  app.get(
    '/health/ready',
    {
      config: { access: 'public' },
      logLevel: 'warn',
      schema: { response: { 200: report, 503: report } },
    },
    async (_request, reply) => {
      if (draining) return reply.code(503).send({ ready: false, draining: true, dependencies: {} });
      if (cached === undefined || Date.now() - cached.at > CACHE_MS)
        cached = { at: Date.now(), report: await check() };
      return reply.code(cached.report.ready ? 200 : 503).send(cached.report);
    },
  );
}

export default fp(healthPlugin, { name: 'health', dependencies: ['database', 'storage'] });
