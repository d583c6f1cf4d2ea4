/**
 * Process faults on one service of the running stack, through its runner (every `make local`
 * supervises what it started):
 * - `pause`: SIGSTOP, healed by SIGCONT;
 * - `outage`: the runner stops the service with SIGKILL (a crash) or SIGTERM (timed until it
 *   exited) and keeps it stopped for the hold; healed by starting it again (ready when it returns);
 * - `crash`: SIGKILL straight to the process, as a crash would; the runner's supervisor must
 *   restart it by itself (`restartedInMs`, from the kill until the service is running again).
 */
import { stackPaths } from '../../../runner/host/paths.ts';
import { processRunning } from '../../../runner/process/proc.ts';
import { serviceStates, startService, stopService } from '../../../runner/stack/control.ts';
import { currentPid, type StackFile } from '../stack.ts';
import { type Fault, waitFor } from './fault.ts';

function pidOf(stack: StackFile, name: string): number {
  const pid = currentPid(stack, name);
  if (pid === undefined || !processRunning(pid)) throw new Error(`${name} is not running`);
  return pid;
}

const stackFileOf = (stack: StackFile) => stackPaths(stack.stackDir).stackFile;

export function pause(stack: StackFile, name: string): Fault {
  let paused: number | undefined;
  const resume = async () => {
    if (paused !== undefined && processRunning(paused)) process.kill(paused, 'SIGCONT');
    paused = undefined;
  };
  return {
    what: `SIGSTOP ${name}`,
    observed: {},
    async apply() {
      paused = pidOf(stack, name);
      process.kill(paused, 'SIGSTOP');
    },
    heal: resume,
    cleanup: resume,
  };
}

export function outage(stack: StackFile, name: string, signal: 'SIGKILL' | 'SIGTERM'): Fault {
  const file = stackFileOf(stack);
  const observed: Record<string, number> = {};
  let stopped = false;
  const start = async () => {
    if (!stopped) return;
    const t0 = performance.now();
    await startService(file, name);
    stopped = false;
    observed.startedInMs = performance.now() - t0;
  };
  return {
    what: `${signal} ${name} (held down by the runner)`,
    observed,
    async apply() {
      pidOf(stack, name);
      const t0 = performance.now();
      stopped = true;
      await stopService(file, name, { signal });
      if (signal === 'SIGTERM') observed.exitedInMs = performance.now() - t0;
    },
    heal: start,
    cleanup: start,
  };
}

export function crash(stack: StackFile, name: string): Fault {
  const file = stackFileOf(stack);
  const observed: Record<string, number> = {};
  let old: number | undefined;
  let killedAt = 0;
  const runningAgain = async () => {
    const states = await serviceStates(file, { timeoutMs: 5000 }).catch(() => []);
    const s = states.find((x) => x.name === name);
    return s !== undefined && s.state === 'running' && s.pid !== null && s.pid !== old;
  };
  const heal = async () => {
    if (old === undefined) return;
    const back = await waitFor(runningAgain, 60_000);
    if (back !== undefined) observed.restartedInMs = performance.now() - killedAt;
    old = undefined;
  };
  return {
    what: `SIGKILL ${name} (a crash: the runner restarts it)`,
    observed,
    async apply() {
      old = pidOf(stack, name);
      killedAt = performance.now();
      process.kill(old, 'SIGKILL');
    },
    heal,
    cleanup: heal,
  };
}
