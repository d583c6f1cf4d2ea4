/**
 * A stack `up` has started: supervised (a process that dies is restarted, one service can be
 * stopped, started or restarted through the control socket), described in stack.json (rewritten
 * whenever a service changes state), with a handle to stop it in reverse dependency order and to
 * hear about processes that exit while it is up.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { PlannedService, StackPlan } from '../../services/shared/topology/plan.ts';
import type { Boxes } from '../host/boxes.ts';
import { stackPaths } from '../host/paths.ts';
import type { SecretFiles } from '../host/secrets.ts';
import type { Output } from '../logs/output.ts';
import type { LogTail } from '../logs/tail.ts';
import type { RunnerConfig } from '../plan/config.ts';
import type { Exit, Launched } from '../process/launch.ts';
import { removeRecord } from '../process/records.ts';
import { Supervisor } from '../process/supervision/supervisor.ts';
import { PoolScaler } from '../scaling/pool-scaler.ts';
import { serveControl } from './control-socket.ts';
import { describeStack, type StackFile } from './stack-file.ts';

export interface RunningStack {
  /** stack.json as it is now (it changes when a service restarts). */
  readonly info: StackFile;
  readonly stackFile: string;
  readonly plan: StackPlan;
  readonly supervisor: Supervisor;
  /** Stops every process in reverse dependency order; `force` kills at once. */
  stop(options?: { force?: boolean; hurry?: AbortSignal }): Promise<void>;
  /** The terminal no longer follows the processes' logs (a daemon's parent has gone). */
  quiet(): void;
  /** Called when a process exits while the stack is up (not while stopping, not on request). */
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
  /** Starts one service again (supervisor restarts, `make start`), resolving once it is ready. */
  readonly startAgain: (
    s: PlannedService,
    signal: AbortSignal,
    started: (l: Launched) => void,
  ) => Promise<void>;
  readonly stopAll: (o?: { force?: boolean; hurry?: AbortSignal }) => Promise<void>;
}

export async function running(input: RunningInput): Promise<RunningStack> {
  const { config, out, plan, launched, tail, unlock, secrets, boxes } = input;
  const paths = stackPaths(config.stackDir);
  const readyInMs = Math.round(performance.now() - input.t0);
  const pids = new Map([...launched].map(([name, l]) => [name, l.record.pid]));
  for (const s of plan.services) if (s.oneShot) removeRecord(config.stackDir, s.name);
  const listeners: ((name: string, exit: Exit) => void)[] = [];
  let stopping = false;
  let info: StackFile | undefined;
  let scaler: PoolScaler | undefined;
  const describe = () => {
    info = describeStack(plan, config.stackDir, {
      pids,
      supervision: (name) =>
        supervisor.names().includes(name) ? supervisor.status(name) : undefined,
      runnerPid: process.pid,
      detached: input.detached,
      startedAt: input.startedAt,
      readyInMs,
      portBase: config.portBase,
      pools: scaler?.pools() ?? [],
      boxes,
      secrets,
      webSettings: config.webEnv,
    });
    if (!stopping) writeStackFile(paths.stackFile, info);
    return info;
  };
  const supervisor: Supervisor = new Supervisor({
    services: plan.services.filter((s) => !s.oneShot && launched.has(s.name)),
    standby: plan.services.filter((s) => s.standby === true),
    launched,
    start: input.startAgain,
    graceMs: config.stopGraceMs,
    out,
    onChange: () => {
      if (!stopping) describe();
    },
    onExit: (name, exit) => {
      for (const listener of listeners) listener(name, exit);
    },
    onStopped: (name) => removeRecord(config.stackDir, name),
  });
  scaler = new PoolScaler({
    plan,
    stackDir: config.stackDir,
    supervisor,
    out,
    onChange: () => {
      if (!stopping) describe();
    },
  });
  describe();
  const control = await serveControl(paths.controlSocket, supervisor, out, scaler);
  let stopped: Promise<void> | undefined;
  return {
    get info() {
      return info ?? describe();
    },
    stackFile: paths.stackFile,
    plan,
    supervisor,
    stop(stopOptions = {}) {
      stopped ??= (async () => {
        stopping = true;
        await control.close();
        await supervisor.close();
        await input.stopAll(stopOptions);
        rmSync(paths.stackFile, { force: true });
        tail.stop();
        unlock();
      })();
      return stopped;
    },
    quiet() {
      tail.stop();
    },
    onExit(listener) {
      listeners.push(listener);
    },
  };
}
