/**
 * Reading and removing the pid records of a stack directory (`<stackDir>/<name>/pid` and
 * `<stackDir>/runner.pid`), and the runner lock built on them: one runner per stack directory.
 */
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { instancePaths, NOT_INSTANCES, stackPaths } from '../host/paths.ts';
import {
  classify,
  type Observed,
  type PidRecord,
  parsePidRecord,
} from './crash-recovery/ownership.ts';
import { bootId, procFacts, startTimeOf } from './proc.ts';

export function readRecord(file: string): PidRecord | undefined {
  try {
    return parsePidRecord(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export const observe = (record: PidRecord): Observed => ({
  record,
  verdict: classify(record, procFacts(record.pid)),
});

/** Every service pid record found under the stack directory. */
export function readServiceRecords(stackDir: string): PidRecord[] {
  let entries: string[];
  try {
    entries = readdirSync(stackDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !NOT_INSTANCES.has(e.name))
      .map((e) => e.name);
  } catch {
    return [];
  }
  return entries
    .map((name) => readRecord(instancePaths(stackDir, name).pidFile))
    .filter((r): r is PidRecord => r !== undefined);
}

export function removeRecord(stackDir: string, name: string): void {
  rmSync(instancePaths(stackDir, name).pidFile, { force: true });
}

export class StackBusyError extends Error {
  readonly code = 'STACK_ERR_BUSY';
}

/** The runner that currently owns the stack directory, if it still runs. */
export function liveRunner(stackDir: string): PidRecord | undefined {
  const record = readRecord(stackPaths(stackDir).runnerPidFile);
  return record !== undefined && observe(record).verdict === 'ours' ? record : undefined;
}

/**
 * Takes the stack directory for this process. Fails when another live runner holds it; a lock
 * left by a dead runner is taken over. Returns the release function.
 */
export function lockStack(
  stackDir: string,
  busy: (holder: PidRecord) => string = (holder) =>
    `another runner (pid ${holder.pid}) owns ${stackDir}: stop it with Ctrl-C there or \`make down\``,
): () => void {
  const file = stackPaths(stackDir).runnerPidFile;
  const startTime = startTimeOf(process.pid) ?? '0';
  const mine: PidRecord = {
    name: 'runner',
    kind: 'runner',
    wave: -1,
    pid: process.pid,
    startTime,
    bootId: bootId(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${JSON.stringify(mine)}\n`);
      closeSync(fd);
      return () => {
        const now = readRecord(file);
        if (now?.pid === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = liveRunner(stackDir);
      if (holder !== undefined && holder.pid !== process.pid)
        throw new StackBusyError(busy(holder));
      rmSync(file, { force: true });
    }
  }
  throw new StackBusyError(`cannot take the lock ${file}`);
}

export const runnerLogFile = (stackDir: string) => join(stackDir, 'runner.log');
