/**
 * Boxes: every box of the plan with a quota gets a cgroup capped at it (app boxes at BOX_CPUS; the
 * database, cache and LB boxes at DB_/CACHE_/LB_BOX_CPUS when those are above 0), named per stack,
 * removed when the stack stops. Where no cpu controller is writable the stack still runs, with a warning and
 * `enforced: false` in stack.json.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { PlannedService } from '../../services/shared/topology/plan.ts';
import {
  boxGroup,
  type CpuController,
  findCpuController,
  procsFile,
  quotaWrites,
  stackGroup,
} from './cgroups.ts';

export interface BoxInfo {
  readonly name: string;
  readonly appBox: boolean;
  /** CPU quota of the box; null for boxes without one. */
  readonly cpus: number | null;
  readonly cgroup: string | null;
  readonly services: readonly string[];
}

export interface Boxes {
  readonly enforced: boolean;
  readonly controller: 'cgroup-v1' | 'cgroup-v2' | 'none';
  readonly reason: string | null;
  /** BOX_CPUS: the quota of one app box. */
  readonly cpus: number;
  readonly list: readonly BoxInfo[];
}

export function detectController(): CpuController | undefined {
  let mountinfo = '';
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return undefined;
  }
  let self = '';
  try {
    self = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {}
  return findCpuController(
    mountinfo,
    (mount) => {
      try {
        return readFileSync(`${mount}/cgroup.controllers`, 'utf8');
      } catch {
        return undefined;
      }
    },
    self,
  );
}

const controllerName = (c: CpuController) => (c.version === 'v1' ? 'cgroup-v1' : 'cgroup-v2');

function enableV2Cpu(group: string): void {
  const control = `${group}/cgroup.subtree_control`;
  if (!readFileSync(control, 'utf8').split(/\s+/).includes('cpu')) writeFileSync(control, '+cpu');
}

/** Where setUpBoxes notes the stack's group, for a later removal from another process. */
const groupRecord = (stackDir: string): string => join(stackDir, 'cgroup');

function recordedGroup(stackDir: string): string | undefined {
  try {
    return readFileSync(groupRecord(stackDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** One entry per box; a box shared by several instances takes the first quota above 0. */
export function boxList(services: readonly PlannedService[]): Map<string, BoxInfo> {
  const boxes = new Map<string, BoxInfo>();
  for (const s of services) {
    const known = boxes.get(s.box);
    const own = s.quota !== null && s.quota.cpus > 0 ? s.quota.cpus : null;
    boxes.set(s.box, {
      name: s.box,
      appBox: (known?.appBox ?? false) || s.appBox,
      cpus: known?.cpus ?? own,
      cgroup: null,
      services: [...(known?.services ?? []), s.name],
    });
  }
  return boxes;
}

/** Creates the cgroups of the app boxes. Never throws: failure means `enforced: false`. */
export function setUpBoxes(
  services: readonly PlannedService[],
  stackDir: string,
  cpus: number,
  controller: CpuController | undefined = detectController(),
): Boxes {
  const boxes = boxList(services);
  const none = (reason: string): Boxes => ({
    enforced: false,
    controller: 'none',
    reason,
    cpus,
    list: [...boxes.values()],
  });
  if (controller === undefined) return none('no cgroup cpu controller is mounted');
  if (![...boxes.values()].some((b) => b.cpus !== null))
    return {
      enforced: true,
      controller: controllerName(controller),
      reason: null,
      cpus,
      list: [...boxes.values()],
    };
  try {
    const root = stackGroup(controller, stackDir);
    if (controller.version === 'v2') enableV2Cpu(controller.root);
    mkdirSync(root, { recursive: true });
    writeFileSync(groupRecord(stackDir), `${root}\n`);
    if (controller.version === 'v2') enableV2Cpu(root);
    for (const box of boxes.values()) {
      if (box.cpus === null) continue;
      const group = boxGroup(controller, stackDir, box.name);
      mkdirSync(group, { recursive: true });
      for (const [file, value] of quotaWrites(controller.version, box.cpus))
        writeFileSync(`${group}/${file}`, value);
      boxes.set(box.name, { ...box, cgroup: group });
    }
  } catch (error) {
    removeBoxes(stackDir, controller);
    // The runner's own group may not be writable (or not delegated): the top of the hierarchy,
    // where stacks lived before they nested, may still be.
    if (controller.parent)
      return setUpBoxes(services, stackDir, cpus, { ...controller, parent: '' });
    const reason = `${controller.version} cpu controller at ${controller.root} is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    return none(reason);
  }
  return {
    enforced: true,
    controller: controllerName(controller),
    reason: null,
    cpus,
    list: [...boxes.values()],
  };
}

/** The cgroup.procs file a process of `box` must join, when quotas are enforced. */
export function boxProcsFile(boxes: Boxes, box: string): string | undefined {
  const group = boxes.list.find((b) => b.name === box)?.cgroup;
  return group ? procsFile(group) : undefined;
}

/**
 * Removes this stack's cgroups (a cgroup is removed with rmdir once empty). Returns the groups
 * that could not be removed because processes are still in them.
 */
export function removeBoxes(
  stackDir: string,
  controller: CpuController | undefined = detectController(),
): string[] {
  if (controller === undefined) return [];
  // `make down` may run in another cgroup than the runner that nested the stack's group.
  const root = recordedGroup(stackDir) ?? stackGroup(controller, stackDir);
  if (!existsSync(root)) return [];
  const left: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    try {
      rmdirSync(`${root}/${entry.name}`);
    } catch {
      left.push(`${root}/${entry.name}`);
    }
  }
  try {
    rmdirSync(root);
    rmSync(groupRecord(stackDir), { force: true });
  } catch {
    if (left.length === 0) left.push(root);
  }
  return left;
}
