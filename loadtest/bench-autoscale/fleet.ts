/**
 * The fleet while a run goes (I/O): once a second, the web servers in the LB's rotation (its
 * /stats.json) and the web server processes running (stack.json, kept current by the runner), and
 * when the autoscaler first decided to scale out (its /status.json). Setting a run's fleet: the
 * autoscaler stopped and the pool scaled by hand (AUTOSCALE=off runs), or started fresh.
 */
import type { StartedStack } from '../../runner/stack/api.ts';
import { scalePool, startService, stopService } from '../../runner/stack/control.ts';
import type { FleetSample } from './figures.ts';

const DEADLINE_MS = 900;

export async function inRotation(statsUrl: string, pool = 'web'): Promise<number> {
  const res = await fetch(statsUrl, { signal: AbortSignal.timeout(DEADLINE_MS) });
  const stats = (await res.json()) as {
    pools: { name: string; backends: { up: boolean }[] }[];
  };
  return stats.pools.find((p) => p.name === pool)?.backends.filter((b) => b.up).length ?? 0;
}

export const runningWebs = (stack: StartedStack): number =>
  stack.info.services.filter((s) => s.kind === 'web' && s.pid !== null).length;

export interface FleetWatch {
  readonly samples: FleetSample[];
  /** Seconds from the start at which the autoscaler first decided to scale out. */
  firstScaleOutS: number | null;
  stop(): Promise<void>;
}

export function watchFleet(
  stack: StartedStack,
  statsUrl: string,
  autoscalerUrl: string | null,
  t0: number,
): FleetWatch {
  const watch: FleetWatch = {
    samples: [],
    firstScaleOutS: null,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
  let stopped = false;
  const at = () => (performance.now() - t0) / 1000;
  const t0Epoch = Date.now() + (t0 - performance.now());
  const loop = (async () => {
    while (!stopped) {
      const t = performance.now();
      const up = await inRotation(statsUrl).catch(() => undefined);
      watch.samples.push({
        atS: at(),
        inRotation: up ?? watch.samples.at(-1)?.inRotation ?? 0,
        running: runningWebs(stack),
      });
      if (autoscalerUrl !== null && watch.firstScaleOutS === null) {
        const status = await fetch(`${autoscalerUrl}/status.json`, {
          signal: AbortSignal.timeout(DEADLINE_MS),
        })
          .then(
            (r) =>
              r.json() as Promise<{ pools: { pool: string; lastScaleOutAt: string | null }[] }>,
          )
          .catch(() => undefined);
        const out = status?.pools.find((p) => p.pool === 'web')?.lastScaleOutAt;
        // The autoscaler's own clock of the decision, on the run's time axis.
        if (out) watch.firstScaleOutS = (Date.parse(out) - t0Epoch) / 1000;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - t))));
    }
  })();
  return watch;
}

/** AUTOSCALE=off with `servers` web servers: the autoscaler stopped, the pool set by hand. */
export async function fixedFleet(stack: StartedStack, servers: number): Promise<void> {
  await stopService(stack.stackFile, 'autoscaler');
  await scalePool(stack.stackFile, 'web', servers);
}

/** AUTOSCALE=on from the minimum fleet: one server, the autoscaler started with no history. */
export async function autoscaledFleet(stack: StartedStack, min: number): Promise<void> {
  await stopService(stack.stackFile, 'autoscaler');
  await scalePool(stack.stackFile, 'web', min);
  await startService(stack.stackFile, 'autoscaler');
}
