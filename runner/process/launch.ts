/**
 * Starting one process of the stack: its stdout and stderr go straight to `<stackDir>/<name>/log`
 * (so it keeps running, and logging, if the runner dies), it gets its own process group (Ctrl-C
 * reaches only the runner, which stops everything in order), and its pid record is written at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { instancePaths } from '../host/paths.ts';
import type { LaunchSpec } from '../plan/launch-spec.ts';
import type { PidRecord } from './crash-recovery/ownership.ts';
import { bootId, startTimeOf } from './proc.ts';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Launched {
  readonly record: PidRecord;
  readonly child: ChildProcess;
  /** Settles when the process exits (never rejects). */
  readonly exited: Promise<Exit>;
  readonly logFile: string;
}

export class LaunchError extends Error {
  readonly code = 'STACK_ERR_SPAWN';
}

export async function launch(
  spec: LaunchSpec,
  stackDir: string,
  identity: { readonly name: string; readonly kind: string; readonly wave: number },
): Promise<Launched> {
  const p = instancePaths(stackDir, identity.name);
  mkdirSync(p.dir, { recursive: true });
  const log = openSync(p.log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(new LaunchError(`${identity.name}: cannot start ${spec.command}: ${error.message}`)),
    );
  });
  const pid = child.pid;
  if (pid === undefined) throw new LaunchError(`${identity.name}: no pid after spawn`);
  const startTime = startTimeOf(pid);
  if (startTime === undefined) {
    const exit = await exited;
    throw new LaunchError(
      `${identity.name} exited at once (code ${exit.code}, signal ${exit.signal}): see ${p.log}`,
    );
  }
  const record: PidRecord = { ...identity, pid, startTime, bootId: bootId() };
  writeFileSync(p.pidFile, `${JSON.stringify(record)}\n`);
  // The runner does not wait for its children to exit before it may exit itself (detached mode).
  child.unref();
  return { record, child, exited, logFile: p.log };
}
