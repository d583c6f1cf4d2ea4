import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  boxGroup,
  findCpuController,
  ownV1Group,
  parseQuota,
  procsFile,
  quotaWrites,
  stackGroup,
  stackId,
} from '../../../runner/host/cgroups.ts';

const V1 = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const V2 = [
  '25 20 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate',
].join('\n');

test('finds the cpu controller: v1 hierarchy first, else v2 when it offers cpu', () => {
  assert.deepEqual(
    findCpuController(V1, () => 'memory pids'),
    { version: 'v1', root: '/sys/fs/cgroup/cpu', parent: '' },
  );
  assert.deepEqual(
    findCpuController(V2, () => 'cpuset cpu io memory pids'),
    {
      version: 'v2',
      root: '/sys/fs/cgroup',
    },
  );
  assert.equal(
    findCpuController(V2, () => 'memory pids'),
    undefined,
  );
  assert.equal(
    findCpuController(V2, () => undefined),
    undefined,
  );
  assert.equal(
    findCpuController('', () => 'cpu'),
    undefined,
  );
});

test('per-stack group names: stable, distinct per stack dir, box names checked', () => {
  const v1 = { version: 'v1', root: '/sys/fs/cgroup/cpu' } as const;
  assert.equal(stackId('/a/.stack'), stackId('/a/.stack'));
  assert.notEqual(stackId('/a/.stack'), stackId('/b/.stack'));
  assert.match(stackGroup(v1, '/a/.stack'), /^\/sys\/fs\/cgroup\/cpu\/scaling-lab-[0-9a-f]{10}$/);
  assert.equal(boxGroup(v1, '/a/.stack', 'web-1'), `${stackGroup(v1, '/a/.stack')}/web-1`);
  assert.throws(() => boxGroup(v1, '/a/.stack', '../escape'));
  assert.equal(procsFile('/g'), '/g/cgroup.procs');
});

test('quota values for v1 and v2, and reading them back', () => {
  assert.deepEqual(quotaWrites('v1', 0.5), [
    ['cpu.cfs_period_us', '100000'],
    ['cpu.cfs_quota_us', '50000'],
  ]);
  assert.deepEqual(quotaWrites('v2', 2), [['cpu.max', '200000 100000']]);
  assert.deepEqual(quotaWrites('v2', 0.001), [['cpu.max', '1000 100000']], 'kernel minimum 1 ms');
  assert.equal(parseQuota('v1', '50000\n'), 0.5);
  assert.equal(parseQuota('v1', '-1\n'), undefined);
  assert.equal(parseQuota('v2', '150000 100000\n'), 1.5);
  assert.equal(parseQuota('v2', 'max 100000\n'), undefined);
});

test('v1 boxes nest under the group the runner runs in, relative to the mount root', () => {
  const self = ['4:cpuacct:/', '3:cpu:/bench', '0::/'].join('\n');
  assert.deepEqual(
    findCpuController(V1, () => undefined, self),
    {
      version: 'v1',
      root: '/sys/fs/cgroup/cpu',
      parent: 'bench',
    },
  );
  const nested = { version: 'v1', root: '/sys/fs/cgroup/cpu', parent: 'bench' } as const;
  assert.match(stackGroup(nested, '/a/.stack'), /^\/sys\/fs\/cgroup\/cpu\/bench\/scaling-lab-/);
  assert.equal(ownV1Group('2:cpu,cpuacct:/docker/abc/x', 'cpu', '/docker/abc'), 'x');
  assert.equal(ownV1Group('2:cpu,cpuacct:/docker/abc', 'cpu', '/docker/abc'), '');
  assert.equal(ownV1Group('2:cpu,cpuacct:/elsewhere', 'cpu', '/docker/abc'), '');
  assert.equal(ownV1Group('1:cpu:/', 'cpu'), '');
  assert.equal(ownV1Group('0::/user.slice', 'cpu'), '');
});
