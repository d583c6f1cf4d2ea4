/**
 * Process faults on one service of the running stack: pause (SIGSTOP, healed by SIGCONT), kill
 * (SIGKILL) and terminate (SIGTERM, timed until it exits). A killed or terminated service is
 * healed by whoever restarts it first: the runner's supervisor when it has one (the fault waits
 * `supervisorGraceMs` for a new pid), otherwise the drill (relaunch.ts). Healing waits until the
 * service's port accepts connections again.
 */
import { connect } from 'node:net';
import { processRunning } from '../../../runner/process/proc.ts';
import { currentPid, type StackFile, type StackService, serviceOf } from '../stack.ts';
import { type Fault, waitFor } from './fault.ts';
import { type Launch, launchOf, relaunch } from './relaunch.ts';

function accepts(service: StackService): Promise<boolean> {
  const port = Object.values(service.ports)[0];
  if (port === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    const socket = connect({ host: service.host, port, timeout: 500 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function pidOf(stack: StackFile, name: string): number {
  const pid = currentPid(stack, name);
  if (pid === undefined || !processRunning(pid)) throw new Error(`${name} is not running`);
  return pid;
}

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

export interface StopOptions {
  /** How long a supervisor may take to restart it before the drill does (default 6 s). */
  readonly supervisorGraceMs?: number;
  /** How long the restarted service may take to accept connections (default 60 s). */
  readonly readyTimeoutMs?: number;
}

/** SIGKILL or SIGTERM `name`; healing waits for a restart (the runner's or the drill's own). */
export function stop(
  stack: StackFile,
  name: string,
  signal: 'SIGKILL' | 'SIGTERM',
  options: StopOptions = {},
): Fault {
  const service = serviceOf(stack, name);
  const observed: Record<string, number> = {};
  let old: number | undefined;
  let launch: Launch | undefined;
  let stoppedAt = 0;
  const restarted = () => {
    const pid = currentPid(stack, name);
    return pid !== undefined && pid !== old && processRunning(pid);
  };
  const heal = async () => {
    if (old === undefined || launch === undefined) return;
    if (processRunning(old)) await waitFor(() => !processRunning(old ?? 0), 30_000);
    const bySupervisor = await waitFor(restarted, options.supervisorGraceMs ?? 6000);
    if (bySupervisor !== undefined)
      observed.restartedBySupervisorInMs = performance.now() - stoppedAt;
    else relaunch(stack, service, launch);
    const ready = await waitFor(() => accepts(service), options.readyTimeoutMs ?? 60_000);
    if (ready === undefined)
      throw new Error(`${name} did not accept connections after its restart`);
    observed.backInMs = performance.now() - stoppedAt;
    launch = undefined;
  };
  return {
    what: `${signal} ${name}`,
    observed,
    async apply() {
      old = pidOf(stack, name);
      launch = launchOf(stack, service, old);
      stoppedAt = performance.now();
      process.kill(old, signal);
      if (signal === 'SIGTERM') {
        const exited = await waitFor(() => !processRunning(old ?? 0), 30_000);
        if (exited !== undefined) observed.exitedInMs = exited;
      }
    },
    heal,
    async cleanup() {
      if (launch !== undefined && !restarted() && !processRunning(old ?? 0)) await heal();
    },
  };
}
