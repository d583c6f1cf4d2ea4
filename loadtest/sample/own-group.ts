/**
 * The CPU used by the load's own cgroup, when it runs in one (cgroup v1 `cpuacct`): run a bench in
 * a group of its own with a high `cpu.shares` on a machine other work shares, and its boxes nest
 * there too (runner/host/cgroups.ts), so "the machine was saturated" can mean the bench's own
 * processes instead of everything on the machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownV1Group, v1Mount } from '../../runner/host/cgroups.ts';

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
  const mount = v1Mount(mountinfo, 'cpuacct');
  if (mount === undefined) return undefined;
  const path = ownV1Group(self, 'cpuacct', mount.mountRoot);
  if (path === '') return undefined;
  const file = join(mount.mountPoint, path, 'cpuacct.usage');
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
