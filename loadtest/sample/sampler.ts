/**
 * Samples the stack once a second while a load runs (in the main thread; the load runs in worker
 * threads), plus the whole machine's busy share from /proc/stat, and turns the readings into the
 * USE verdict.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { StackFile } from '../../runner/stack/stack-file.ts';
import { type OwnGroup, ownCpuacctGroup } from './own-group.ts';
import { type Reading, Snapshotter } from './snapshot.ts';
import { analyse, type Verdict } from './use.ts';

function machineTicks(): { busy: number; total: number } {
  try {
    const [cpu = ''] = readFileSync('/proc/stat', 'utf8').split('\n');
    const f = cpu.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export interface Sampling {
  readonly readings: readonly Reading[];
  /**
   * Busy share of the machine's cores: used by the load's own cgroup (generator and stack) when it
   * runs in one, else by every process on the machine.
   */
  readonly machineBusy: number;
  /** What machineBusy counted, in words. */
  readonly busyScope: string;
  verdict(generatorTrusted: boolean): Verdict;
}

export async function sampleWhile<T>(
  stack: StackFile,
  work: () => Promise<T>,
): Promise<{ value: T; sampling: Sampling }> {
  const snap = new Snapshotter(stack);
  const readings: Reading[] = [];
  const startTicks = machineTicks();
  // The load's own group counts as "the machine" only when the stack's boxes nest in it too
  // (scripts/priority.sh); a stack started from another session is elsewhere.
  const group = stackInGroup(stack, ownCpuacctGroup());
  const start = { ns: group?.usageNs(), at: process.hrtime.bigint() };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t = performance.now();
      readings.push(await snap.read().catch(() => ({ atMs: performance.now(), values: {} })));
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - t))));
    }
  })();
  try {
    const value = await work();
    const own =
      group === undefined || start.ns === undefined
        ? undefined
        : ownBusy(group, start.ns, Number(process.hrtime.bigint() - start.at));
    return { value, sampling: summarise(stack, readings, startTicks, own) };
  } finally {
    stopped = true;
    await loop;
    await snap.close();
  }
}

function stackInGroup(stack: StackFile, group: OwnGroup | undefined): OwnGroup | undefined {
  if (group === undefined) return undefined;
  const boxed = stack.boxes.list.filter((b) => b.cgroup !== null);
  return boxed.length > 0 && boxed.every((b) => b.cgroup?.includes(`${group.path}/scaling-lab-`))
    ? group
    : undefined;
}

function ownBusy(
  group: OwnGroup,
  startNs: number,
  wallNs: number,
): { busy: number; path: string } | undefined {
  const end = group.usageNs();
  if (end === undefined || wallNs <= 0) return undefined;
  return { busy: (end - startNs) / (wallNs * availableParallelism()), path: group.path };
}

function summarise(
  stack: StackFile,
  readings: Reading[],
  start: { busy: number; total: number },
  own: { busy: number; path: string } | undefined,
): Sampling {
  const end = machineTicks();
  const wholeMachine =
    end.total > start.total ? (end.busy - start.busy) / (end.total - start.total) : 0;
  const machineBusy = own?.busy ?? wholeMachine;
  const busyScope =
    own === undefined
      ? 'all processes on it'
      : `by the load's own cgroup ${own.path}; the whole machine ${(wholeMachine * 100).toFixed(0)} %`;
  const boxCpus = Object.fromEntries(
    stack.boxes.list.map((b) => [b.name, stack.boxes.enforced ? b.cpus : null]),
  );
  const components = stack.services
    .filter((s) => s.pid !== null)
    .map((s) => ({ name: s.name, kind: s.kind, box: s.box }));
  return {
    readings,
    machineBusy,
    busyScope,
    verdict: (generatorTrusted) =>
      analyse({
        readings,
        components,
        boxCpus,
        machineCores: availableParallelism(),
        machineBusy,
        generatorTrusted,
        dbPoolSize: Number(stack.flags.DB_POOL_SIZE),
      }),
  };
}
