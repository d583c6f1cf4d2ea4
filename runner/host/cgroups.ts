/**
 * CPU quotas for app boxes with cgroups, v1 (a `cpu` controller hierarchy: cpu.cfs_quota_us and
 * cpu.cfs_period_us) or v2 (cpu.max). Pure: finding the controller from /proc/self/mountinfo, the
 * per-stack group names, and the values to write. The I/O lives in boxes.ts.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export type CgroupVersion = 'v1' | 'v2';

export interface CpuController {
  readonly version: CgroupVersion;
  /** Mount point of the hierarchy holding the cpu controller. */
  readonly root: string;
  /**
   * v1: the cgroup the runner itself runs in, relative to `root` ('' at the top). A stack's boxes
   * nest under it, so a stack started from a low-priority (or high-priority) group keeps that
   * weight against the rest of the machine. v2 does not nest (a v2 group holding processes cannot
   * hand the cpu controller to children).
   */
  readonly parent?: string;
}

export const CFS_PERIOD_US = 100_000;

interface CgroupMount {
  readonly fsType: string;
  /** The subtree of the hierarchy mounted there ('/' unless inside a container). */
  readonly mountRoot: string;
  readonly mountPoint: string;
  readonly superOptions: readonly string[];
}

/** The cgroup (v1) and cgroup2 mounts in /proc/self/mountinfo, in order. */
function cgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const [, , , mountRoot = '/', mountPoint] = left.split(' ');
    const [fsType = '', , superOptions = ''] = right.split(' ');
    if (mountPoint === undefined || (fsType !== 'cgroup' && fsType !== 'cgroup2')) continue;
    mounts.push({ fsType, mountRoot, mountPoint, superOptions: superOptions.split(',') });
  }
  return mounts;
}

/** The mount of the v1 hierarchy that holds `controller` (cpu, cpuacct, ...). */
export const v1Mount = (mountinfo: string, controller: string): CgroupMount | undefined =>
  cgroupMounts(mountinfo).find((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller));

/**
 * Finds where the cpu controller is mounted. `v2Controllers` is the content of
 * `<cgroup2 mount>/cgroup.controllers` (v2 only offers cpu when that file lists it).
 */
export function findCpuController(
  mountinfo: string,
  v2Controllers: (mountPoint: string) => string | undefined,
  selfCgroup = '',
): CpuController | undefined {
  const v1 = v1Mount(mountinfo, 'cpu');
  if (v1 !== undefined)
    return {
      version: 'v1',
      root: v1.mountPoint,
      parent: ownV1Group(selfCgroup, 'cpu', v1.mountRoot),
    };
  const v2 = cgroupMounts(mountinfo).find((m) => m.fsType === 'cgroup2')?.mountPoint;
  if (v2 !== undefined && (v2Controllers(v2) ?? '').split(/\s+/).includes('cpu'))
    return { version: 'v2', root: v2 };
  return undefined;
}

/**
 * The v1 group of this process for `controller`, from /proc/self/cgroup (`4:cpu,cpuacct:/a/b`),
 * relative to the hierarchy's mount root ('' when at the top or outside the mounted subtree).
 */
export function ownV1Group(selfCgroup: string, controller: string, mountRoot = '/'): string {
  for (const line of selfCgroup.split('\n')) {
    const [, controllers = '', path = ''] = line.split(':');
    if (!controllers.split(',').includes(controller)) continue;
    const base = mountRoot === '/' ? '' : mountRoot;
    if (path !== base && !path.startsWith(`${base}/`)) return '';
    return path.slice(base.length).replace(/^\/+/, '');
  }
  return '';
}

/** A short, stable id for a stack directory, so two stacks never share a cgroup. */
export function stackId(stackDir: string): string {
  return createHash('sha256').update(stackDir).digest('hex').slice(0, 10);
}

/** The cgroup holding every box of one stack. */
export const stackGroup = (controller: CpuController, stackDir: string): string =>
  join(controller.root, controller.parent ?? '', `scaling-lab-${stackId(stackDir)}`);

/** The cgroup of one box (box names come from the plan: `web-1`, `read-api-2`, ...). */
export function boxGroup(controller: CpuController, stackDir: string, box: string): string {
  if (!/^[a-z0-9-]+$/.test(box)) throw new Error(`invalid box name ${JSON.stringify(box)}`);
  return join(stackGroup(controller, stackDir), box);
}

/** Files to write in a box's cgroup, in order, to cap it at `cpus` CPUs. */
export function quotaWrites(version: CgroupVersion, cpus: number): [file: string, value: string][] {
  const quota = String(Math.max(1000, Math.round(cpus * CFS_PERIOD_US)));
  if (version === 'v1')
    return [
      ['cpu.cfs_period_us', String(CFS_PERIOD_US)],
      ['cpu.cfs_quota_us', quota],
    ];
  return [['cpu.max', `${quota} ${CFS_PERIOD_US}`]];
}

/** The file a process's pid is written to, to move it into the group. */
export const procsFile = (group: string): string => join(group, 'cgroup.procs');

/** Reads back the quota (in CPUs) from the content of cpu.cfs_quota_us or cpu.max. */
export function parseQuota(version: CgroupVersion, content: string): number | undefined {
  const parts = content.trim().split(/\s+/);
  if (version === 'v1') {
    const quota = Number(parts[0]);
    return quota > 0 ? quota / CFS_PERIOD_US : undefined;
  }
  if (parts[0] === 'max') return undefined;
  const quota = Number(parts[0]);
  const period = Number(parts[1] ?? CFS_PERIOD_US);
  return quota > 0 && period > 0 ? quota / period : undefined;
}
