/**
 * The native actuator: asks the runner that supervises the stack, over its control socket
 * (runner/stack/control-socket.ts), to scale a pool. The runner starts each new server in its own
 * box and adds it to the LB's member file once ready; it takes a leaving one out of the file,
 * waits until the LB dropped it, then stops it (runner/scaling/pool-scaler.ts).
 */
import type { Actuation, Actuator } from './actuator.ts';
import { unixJson } from './unix-http.ts';

interface RunnerPool {
  readonly pool: string;
  readonly members: readonly string[];
}

interface RunnerScale extends RunnerPool {
  readonly steps: readonly {
    name: string;
    action: 'added' | 'removed' | 'failed';
    readyMs: number | null;
    slowStart: boolean;
    error?: string;
  }[];
}

export function runnerActuator(
  socketPath: string,
  timeouts: { readonly readMs: number; readonly actMs: number },
): Actuator {
  return {
    kind: 'runner',
    async current() {
      const { body } = await unixJson(socketPath, 'GET', '/pools', { timeoutMs: timeouts.readMs });
      const pools = (body as { pools: RunnerPool[] }).pools;
      return new Map(pools.map((p) => [p.pool, p.members.length]));
    },
    async scaleTo(pool, replicas): Promise<Actuation> {
      const path = `/pools/${encodeURIComponent(pool)}/scale?replicas=${replicas}`;
      const { body } = await unixJson(socketPath, 'POST', path, { timeoutMs: timeouts.actMs });
      const r = body as RunnerScale;
      return {
        pool,
        replicas: r.members.length,
        servers: r.steps.map((s) => ({
          name: s.name,
          action: s.action,
          readyMs: s.readyMs,
          slowStart: s.slowStart,
          ...(s.error === undefined ? {} : { error: s.error }),
        })),
      };
    },
  };
}
