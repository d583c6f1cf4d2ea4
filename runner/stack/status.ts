/**
 * `status`: what runs in a stack directory, from its pid records and stack.json.
 */
import { readFileSync } from 'node:fs';
import { stackPaths } from '../host/paths.ts';
import { liveRunner, observe, readServiceRecords } from '../process/records.ts';
import type { StackFile } from './stack-file.ts';

export interface StatusLine {
  readonly name: string;
  readonly pid: number;
  readonly state: 'running' | 'stopped';
  readonly url: string | null;
}

export interface Status {
  readonly running: boolean;
  readonly entry: string | null;
  readonly runnerPid: number | null;
  readonly services: readonly StatusLine[];
}

export function readStackFile(file: string): StackFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackFile;
  } catch {
    return undefined;
  }
}

export function status(stackDir: string): Status {
  const info = readStackFile(stackPaths(stackDir).stackFile);
  const services = readServiceRecords(stackDir).map((r): StatusLine => {
    const o = observe(r);
    return {
      name: r.name,
      pid: r.pid,
      state: o.verdict === 'ours' ? 'running' : 'stopped',
      url: info?.services.find((s) => s.name === r.name)?.url ?? null,
    };
  });
  return {
    running: services.some((s) => s.state === 'running'),
    entry: info?.entry ?? null,
    runnerPid: liveRunner(stackDir)?.pid ?? null,
    services,
  };
}
