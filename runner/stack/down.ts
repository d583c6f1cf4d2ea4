/**
 * `down`: stops the stack in a stack directory by the pids it recorded, whatever state it is in.
 * A live foreground runner is asked to stop (SIGTERM: it stops its processes in order); a detached
 * or orphaned stack is stopped directly, in reverse dependency order.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { removeBoxes } from '../host/boxes.ts';
import { stackPaths } from '../host/paths.ts';
import type { Output } from '../logs/output.ts';
import { classify, type PidRecord } from '../process/crash-recovery/ownership.ts';
import { procFacts } from '../process/proc.ts';
import {
  liveRunner,
  observe,
  readServiceRecords,
  removeRecord,
  runnerLogFile,
} from '../process/records.ts';
import { stopProcesses } from '../process/signal-waves.ts';

const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** What the runner logged (its JSON lines) after `offset`: shown here, as it has no terminal. */
function relay(file: string, offset: number, out: Output): void {
  try {
    const text = readFileSync(file).subarray(offset).toString('utf8');
    for (const line of text.split('\n')) if (line.trim() !== '') out.line('runner', line);
  } catch {
    // no log: nothing to show
  }
}

async function stopRunner(
  stackDir: string,
  runner: PidRecord,
  graceMs: number,
  out: Output,
): Promise<void> {
  out.say('info', 'asking the runner to stop the stack', { pid: runner.pid });
  const log = runnerLogFile(stackDir);
  const offset = sizeOf(log);
  process.kill(runner.pid, 'SIGTERM');
  // The runner gives each wave the grace period; allow it that and a margin.
  const deadline = Date.now() + graceMs * 4 + 10_000;
  while (Date.now() < deadline) {
    if (classify(runner, procFacts(runner.pid)) !== 'ours') {
      relay(log, offset, out);
      return;
    }
    await sleep(100);
  }
  out.say('warn', 'the runner did not stop in time: stopping its processes directly');
  process.kill(runner.pid, 'SIGKILL');
}

export interface DownResult {
  /** Processes that were running and were stopped. */
  readonly stopped: number;
  /** Processes that could not be stopped. */
  readonly left: readonly PidRecord[];
  /** A live runner was asked to stop the stack (and did: its lines were shown). */
  readonly byRunner: boolean;
}

export async function down(stackDir: string, graceMs: number, out: Output): Promise<DownResult> {
  const paths = stackPaths(stackDir);
  const runner = liveRunner(stackDir);
  const byRunner = runner !== undefined && runner.pid !== process.pid;
  if (byRunner) await stopRunner(stackDir, runner, graceMs, out);
  const observed = readServiceRecords(stackDir).map(observe);
  const ours = observed.filter((o) => o.verdict === 'ours').map((o) => o.record);
  const left = await stopProcesses(ours, {
    graceMs,
    onStopped: (r, how) => out.say('info', `${r.name} stopped`, { pid: r.pid, how }),
  });
  for (const o of observed) if (!left.includes(o.record)) removeRecord(stackDir, o.record.name);
  if (left.length === 0) {
    rmSync(paths.stackFile, { force: true });
    if (liveRunner(stackDir) === undefined) rmSync(paths.runnerPidFile, { force: true });
  }
  const cgroups = removeBoxes(stackDir);
  if (cgroups.length > 0) out.say('warn', 'cgroups left behind', { left: cgroups.join(',') });
  return { stopped: ours.length - left.length, left, byRunner };
}
