/**
 * `status`: what runs in a stack directory. The supervisor's view in stack.json (state, current
 * pid, restarts) when a runner keeps it; otherwise what the pid records and /proc say.
 */
import { readFileSync } from 'node:fs';
import { stackPaths } from '../host/paths.ts';
import { liveRunner, observe, readServiceRecords } from '../process/records.ts';
import type { StackFile } from './stack-file.ts';

export interface StatusLine {
  readonly name: string;
  readonly pid: number | null;
  readonly state: StackFile['services'][number]['state'] | 'stopped';
  readonly restarts: number;
  readonly url: string | null;
}

export interface Status {
  readonly running: boolean;
  readonly entry: string | null;
  readonly runnerPid: number | null;
  readonly services: readonly StatusLine[];
}

/** The stack.json at `file`, or undefined when it is missing or unreadable (no version check). */
export function tryReadStackFile(file: string): StackFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackFile;
  } catch {
    return undefined;
  }
}

export function status(stackDir: string): Status {
  const info = tryReadStackFile(stackPaths(stackDir).stackFile);
  const runnerPid = liveRunner(stackDir)?.pid ?? null;
  if (info !== undefined && runnerPid !== null && info.runner.pid === runnerPid) {
    const services = info.services
      .filter((s) => !s.oneShot)
      .map((s): StatusLine => ({ ...s, state: s.state }));
    return {
      running: services.some((s) => s.state !== 'stopped' && s.state !== 'failed'),
      entry: info.entry,
      runnerPid,
      services,
    };
  }
  const services = readServiceRecords(stackDir).map((r): StatusLine => {
    const o = observe(r);
    return {
      name: r.name,
      pid: r.pid,
      state: o.verdict === 'ours' ? 'running' : 'stopped',
      restarts: 0,
      url: info?.services.find((s) => s.name === r.name)?.url ?? null,
    };
  });
  return {
    running: services.some((s) => s.state === 'running'),
    entry: info?.entry ?? null,
    runnerPid,
    services,
  };
}
