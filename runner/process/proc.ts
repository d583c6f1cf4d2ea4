/**
 * Facts about processes from /proc (Linux): is a pid running, when did it start, this boot's id.
 * The decisions built on them are in crash-recovery/ownership.ts.
 */
import { readFileSync } from 'node:fs';
import { type ProcFacts, parseProcStat } from './crash-recovery/ownership.ts';

let cachedBootId: string | undefined;

export function bootId(): string {
  cachedBootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  return cachedBootId;
}

function stat(pid: number): { state: string; startTime: string } | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Present and not a zombie. */
export function processRunning(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}

export function startTimeOf(pid: number): string | undefined {
  return stat(pid)?.startTime;
}

export function procFacts(pid: number): ProcFacts {
  const s = stat(pid);
  const running = s !== undefined && s.state !== 'Z' && s.state !== 'X';
  return running
    ? { running, startTime: s.startTime, bootId: bootId() }
    : { running, bootId: bootId() };
}
