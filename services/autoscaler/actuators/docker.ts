/**
 * The compose actuator: scales a compose service through the Docker Engine API on its Unix socket
 * (docker-requests.ts builds the requests). A new container counts as added once Docker reports
 * it healthy (the service's healthcheck is GET /health/ready); the LB finds it through its
 * `dns:<service>` target. A leaving container is stopped with SIGTERM: the web server answers
 * 503 on /health/ready at once, so the LB takes it out of rotation before it closes (DRAIN_DELAY_MS
 * is longer than the LB's check interval), finishes what is in flight, then it is removed.
 */
import type { Actuation, Actuator, ScaledServer } from './actuator.ts';
import {
  byNumberDesc,
  type ContainerInspect,
  type ContainerSummary,
  createRequest,
  inspectPath,
  listPath,
  numberOf,
  removePath,
  startPath,
  stopPath,
} from './docker-requests.ts';
import { unixJson } from './unix-http.ts';

export interface DockerOptions {
  readonly socketPath: string;
  readonly project: string;
  readonly pools: readonly string[];
  readonly readTimeoutMs: number;
  readonly actTimeoutMs: number;
  /** How long a stopping container may drain before Docker kills it. */
  readonly stopGraceS: number;
  readonly slowStartMs: number;
  readonly pollMs?: number;
}

export function dockerActuator(o: DockerOptions): Actuator {
  const get = async <T>(path: string) =>
    (await unixJson(o.socketPath, 'GET', path, { timeoutMs: o.readTimeoutMs })).body as T;
  const list = (pool: string) => get<ContainerSummary[]>(listPath(o.project, pool));

  const waitHealthy = async (id: string): Promise<void> => {
    const end = Date.now() + o.actTimeoutMs;
    for (;;) {
      const c = await get<ContainerInspect>(inspectPath(id));
      if (c.State?.Health?.Status === 'healthy') return;
      if (c.State?.Health?.Status === 'unhealthy') throw new Error(`${id} is unhealthy`);
      if (Date.now() > end) throw new Error(`${id} not healthy in ${o.actTimeoutMs} ms`);
      await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    }
  };

  const addOne = async (pool: string, template: ContainerInspect, n: number) => {
    const t = performance.now();
    const name = `${o.project}-${pool}-${n}`;
    try {
      const req = createRequest(template, o.project, pool, n);
      const created = await unixJson(o.socketPath, 'POST', req.path, {
        body: req.body,
        timeoutMs: o.readTimeoutMs,
      });
      const id = (created.body as { Id: string }).Id;
      await unixJson(o.socketPath, 'POST', startPath(id), { timeoutMs: o.readTimeoutMs });
      await waitHealthy(id);
      const readyMs = Math.round(performance.now() - t);
      return { name, action: 'added', readyMs, slowStart: readyMs > o.slowStartMs } as const;
    } catch (error) {
      return {
        name,
        action: 'failed',
        readyMs: null,
        slowStart: false,
        error: (error as Error).message,
      } as const;
    }
  };

  const removeOne = async (c: ContainerSummary, pool: string): Promise<ScaledServer> => {
    const stopMs = (o.stopGraceS + 5) * 1000;
    await unixJson(o.socketPath, 'POST', stopPath(c.Id, o.stopGraceS), { timeoutMs: stopMs });
    await unixJson(o.socketPath, 'DELETE', removePath(c.Id), { timeoutMs: o.readTimeoutMs });
    const name = `${o.project}-${pool}-${numberOf(c)}`;
    return { name, action: 'removed', readyMs: null, slowStart: false };
  };

  return {
    kind: 'docker',
    async current() {
      const counts = await Promise.all(o.pools.map(async (p) => [p, (await list(p)).length]));
      return new Map(counts as [string, number][]);
    },
    async scaleTo(pool, replicas): Promise<Actuation> {
      const running = byNumberDesc(await list(pool));
      let servers: ScaledServer[] = [];
      const top = running[0];
      if (replicas > running.length) {
        if (top === undefined) throw new Error(`no running ${pool} container to copy`);
        const template = await get<ContainerInspect>(inspectPath(top.Id));
        const numbers = Array.from(
          { length: replicas - running.length },
          (_, i) => numberOf(top) + 1 + i,
        );
        servers = await Promise.all(numbers.map((n) => addOne(pool, template, n)));
      } else if (replicas < running.length) {
        const leaving = running.slice(0, running.length - replicas);
        servers = await Promise.all(leaving.map((c) => removeOne(c, pool)));
      }
      const now = await list(pool);
      return { pool, replicas: now.length, servers };
    },
  };
}
