/**
 * Before `up` starts anything: finish off what a crash or kill -9 left behind. Processes of this
 * stack that still run (provably ours) are stopped, pid records and stack.json of the dead run are
 * removed, and this stack's leftover cgroups go. Half-initialised data directories are dealt with
 * when each service is prepared (data-dirs.ts).
 */
import { readFileSync, rmSync } from 'node:fs';
import { removeBoxes } from '../../host/boxes.ts';
import { stackPaths } from '../../host/paths.ts';
import type { Output } from '../../logs/output.ts';
import {
  observe,
  readRecord,
  readServiceRecords,
  removeRecord,
  StackBusyError,
} from '../records.ts';
import { stopProcesses } from '../signal-waves.ts';
import { decideUp } from './ownership.ts';

/** stack.json says the stack was started in the background. */
export function wasDetached(stackFile: string): boolean {
  try {
    const info = JSON.parse(readFileSync(stackFile, 'utf8')) as { runner?: { detached?: unknown } };
    return info.runner?.detached === true;
  } catch {
    return false;
  }
}

/** Throws StackBusyError when the stack is running; otherwise cleans up after the last run. */
export async function recover(stackDir: string, out: Output, graceMs: number): Promise<void> {
  const paths = stackPaths(stackDir);
  const previousRunner = readRecord(paths.runnerPidFile);
  const runner =
    previousRunner !== undefined && previousRunner.pid !== process.pid
      ? observe(previousRunner)
      : undefined;
  const services = readServiceRecords(stackDir).map(observe);
  const decision = decideUp(runner, services, wasDetached(paths.stackFile));
  if (!decision.go) throw new StackBusyError(decision.reason);
  if (decision.stop.length > 0) {
    out.say('warn', 'a previous run left processes behind: stopping them', {
      processes: decision.stop.map((r) => `${r.name}:${r.pid}`).join(','),
    });
    const left = await stopProcesses(decision.stop, { graceMs });
    if (left.length > 0)
      throw new StackBusyError(
        `could not stop ${left.map((r) => `${r.name} (pid ${r.pid})`).join(', ')}`,
      );
  }
  for (const s of services) removeRecord(stackDir, s.record.name);
  if (services.length > 0)
    out.say('info', 'recovered from the previous run', {
      stale: services.filter((s) => s.verdict !== 'ours').length,
      stopped: decision.stop.length,
    });
  rmSync(paths.stackFile, { force: true });
  const left = removeBoxes(stackDir);
  if (left.length > 0)
    out.say('warn', 'leftover cgroups could not be removed', { left: left.join(',') });
}
