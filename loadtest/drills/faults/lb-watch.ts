/**
 * Watches the LB's admin stats while a fault runs on a web server: how long until the LB took the
 * backend out of rotation (`markedDownInMs`).
 */
import { type StackFile, serviceOf } from '../stack.ts';
import { type Fault, waitFor } from './fault.ts';

interface Stats {
  readonly pools: readonly { readonly backends: readonly { address: string; up: boolean }[] }[];
}

/** Starts watching the LB for `name` to leave rotation; resolves with the ms it took (or never). */
function lbMarkedDown(stack: StackFile, name: string): Promise<number | undefined> {
  const lb = serviceOf(stack, 'lb');
  const target = serviceOf(stack, name);
  const address = `${target.host}:${target.ports.http}`;
  return waitFor(async () => {
    try {
      const response = await fetch(`http://${lb.host}:${lb.ports.admin}/stats.json`, {
        signal: AbortSignal.timeout(1000),
      });
      const stats = (await response.json()) as Stats;
      return stats.pools.some((p) => p.backends.some((b) => b.address === address && !b.up));
    } catch {
      return false;
    }
  }, 15_000);
}

export function watchedByLb(fault: Fault, stack: StackFile, name: string): Fault {
  let watching: Promise<number | undefined> | undefined;
  return {
    ...fault,
    async apply() {
      watching = lbMarkedDown(stack, name);
      await fault.apply();
    },
    async heal() {
      // Not marked down by the time of the heal: it never was, for this drill.
      const ms = await Promise.race([watching, Promise.resolve(undefined)]);
      if (ms !== undefined) fault.observed.markedDownInMs = ms;
      await fault.heal();
    },
  };
}
