/**
 * The CPU used by the load's own cgroup, when it runs in one (cgroup v1 `cpuacct`): run a bench in
 * a group of its own with a high `cpu.shares` on a machine other work shares, and its boxes nest
 * there too (runner/host/cgroups.ts), so "the machine was saturated" can mean the bench's own
 * processes instead of everything on the machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownV1Group } from '../../runner/host/cgroups.ts';

export interface OwnGroup {
  /** The group's path inside the cpuacct hierarchy. */
  readonly path: string;
  /** Nanoseconds of CPU used by the group and its children so far. */
  usageNs(): number | undefined;
}

/** The cpuacct group this process runs in, or undefined at the top of the hierarchy (or none). */
export function ownCpuacctGroup(): OwnGroup | undefined {
  let mountinfo = '';
  let self = '';
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    self = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const [, , , mountRoot = '/', mountPoint] = left.split(' ');
    const [fsType, , superOptions = ''] = right.split(' ');
    if (fsType !== 'cgroup' || mountPoint === undefined) continue;
    if (!superOptions.split(',').includes('cpuacct')) continue;
    const path = ownV1Group(self, 'cpuacct', mountRoot);
    if (path === '') return undefined;
    const file = join(mountPoint, path, 'cpuacct.usage');
    return {
      path: `/${path}`,
      usageNs: () => {
        try {
          return Number(readFileSync(file, 'utf8').trim());
        } catch {
          return undefined;
        }
      },
    };
  }
  return undefined;
}
