/**
 * A stack `up` has started: stack.json written, a handle to stop it (reverse dependency order),
 * to let it run on without the runner (detached), and to hear about processes that exit while it
 * is up.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { StackPlan } from '../../services/shared/topology/plan.ts';
import type { Boxes } from '../host/boxes.ts';
import { stackPaths } from '../host/paths.ts';
import type { SecretFiles } from '../host/secrets.ts';
import type { Output } from '../logs/output.ts';
import type { LogTail } from '../logs/tail.ts';
import type { RunnerConfig } from '../plan/config.ts';
import type { Exit, Launched } from '../process/launch.ts';
import { removeRecord } from '../process/records.ts';
import { describeStack, type StackFile } from './stack-file.ts';

export interface RunningStack {
  readonly info: StackFile;
  readonly stackFile: string;
  readonly plan: StackPlan;
  /** Stops every process in reverse dependency order; `force` kills at once. */
  stop(options?: { force?: boolean; hurry?: AbortSignal }): Promise<void>;
  /** Leaves the processes running and lets the runner exit (detached mode). */
  detach(): void;
  /** Called when a process exits while the stack is up (not while stopping). */
  onExit(listener: (name: string, exit: Exit) => void): void;
}

function writeStackFile(file: string, info: StackFile): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(tmp, file);
}

export interface RunningInput {
  readonly config: RunnerConfig;
  readonly out: Output;
  readonly detached: boolean;
  readonly plan: StackPlan;
  readonly secrets: SecretFiles;
  readonly boxes: Boxes;
  readonly unlock: () => void;
  readonly t0: number;
  readonly startedAt: Date;
  readonly launched: Map<string, Launched>;
  readonly tail: LogTail;
  readonly stopAll: (o?: { force?: boolean; hurry?: AbortSignal }) => Promise<void>;
}

export function running(input: RunningInput): RunningStack {
  const { config, out, plan, launched, tail, unlock, secrets, boxes } = input;
  const paths = stackPaths(config.stackDir);
  const readyInMs = Math.round(performance.now() - input.t0);
  const pids = new Map([...launched].map(([name, l]) => [name, l.record.pid]));
  const info = describeStack(plan, config.stackDir, {
    pids,
    runnerPid: process.pid,
    detached: input.detached,
    startedAt: input.startedAt,
    readyInMs,
    portBase: config.portBase,
    boxes,
    secrets,
  });
  writeStackFile(paths.stackFile, info);
  let stopping = false;
  const listeners: ((name: string, exit: Exit) => void)[] = [];
  for (const [name, l] of launched) {
    const service = plan.services.find((s) => s.name === name);
    if (service?.oneShot) {
      removeRecord(config.stackDir, name);
      continue;
    }
    l.exited.then((exit) => {
      if (stopping) return;
      out.say('warn', `${name} exited`, { code: exit.code, signal: exit.signal });
      for (const listener of listeners) listener(name, exit);
    });
  }
  let stopped: Promise<void> | undefined;
  return {
    info,
    stackFile: paths.stackFile,
    plan,
    stop(stopOptions = {}) {
      stopping = true;
      stopped ??= (async () => {
        await input.stopAll(stopOptions);
        rmSync(paths.stackFile, { force: true });
        tail.stop();
        unlock();
      })();
      return stopped;
    },
    detach() {
      stopping = true;
      tail.stop();
      unlock();
    },
    onExit(listener) {
      listeners.push(listener);
    },
  };
}
