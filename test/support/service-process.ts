/**
 * One process of a running native stack, for fault drills: signals to its pid (from stack.json),
 * and a restart that starts the same command line with the same environment once the old process
 * has exited (as a supervisor would). Processes started here are killed when the test ends.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import type { TestContext } from 'node:test';
import type { StackService } from './stack.ts';

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the current process has exited; rejects after `timeoutMs`. */
  exited(timeoutMs: number): Promise<void>;
  /** Starts the command again (after the old process exited) and returns at once. */
  start(): void;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Launch {
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
}

function launchOf(pid: number): Launch {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((a) => a !== '');
  const env: Record<string, string> = {};
  for (const pair of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const at = pair.indexOf('=');
    if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { argv, env, cwd: readlinkSync(`/proc/${pid}/cwd`) };
}

export function serviceProcess(t: TestContext, service: StackService): ServiceProcess {
  if (service.pid === null) throw new Error(`${service.name} has no process`);
  let pid = service.pid;
  const launch = launchOf(pid);
  const started: number[] = [];
  t.after(() => {
    // Never leave a paused process behind; kill what this test started.
    if (alive(pid)) process.kill(pid, 'SIGCONT');
    for (const p of started) if (alive(p)) process.kill(p, 'SIGKILL');
  });
  return {
    name: service.name,
    get pid() {
      return pid;
    },
    signal(signal) {
      process.kill(pid, signal);
    },
    async exited(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (alive(pid)) {
        if (Date.now() > deadline) throw new Error(`${service.name} (${pid}) still runs`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    start() {
      const log = openSync(service.logFile, 'a');
      try {
        const [command = '', ...args] = launch.argv;
        const child = spawn(command, args, {
          cwd: launch.cwd,
          env: launch.env,
          detached: true,
          stdio: ['ignore', log, log],
        });
        child.unref();
        if (child.pid === undefined) throw new Error(`${service.name}: no pid after spawn`);
        pid = child.pid;
        started.push(pid);
      } finally {
        closeSync(log);
      }
    },
  };
}
