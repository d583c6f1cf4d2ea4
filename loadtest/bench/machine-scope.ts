/** Where a bench's "machine %" column came from, in words. Pure. */
import type { BenchSummary } from './summary.ts';

export const machineScope = (s: BenchSummary): string =>
  s.machine.cgroup === null || s.machine.cgroup === undefined
    ? '; machine % counts every process on the machine'
    : `; ran in cgroup ${s.machine.cgroup}, and machine % counts that group's CPU only`;
