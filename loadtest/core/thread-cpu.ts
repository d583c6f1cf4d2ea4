/**
 * CPU time of the calling thread (Linux /proc/thread-self/stat: utime + stime), so each worker
 * thread of the generator can say how busy its core was. Undefined where /proc is missing.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** Parses a /proc/.../stat line into CPU milliseconds (utime + stime). Pure. */
export function statCpuMs(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15 (1-based).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

export function threadCpuMs(): number | undefined {
  try {
    return statCpuMs(readFileSync('/proc/thread-self/stat', 'utf8'));
  } catch {
    return undefined;
  }
}
