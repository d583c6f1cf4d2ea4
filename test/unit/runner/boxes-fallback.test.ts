/**
 * setUpBoxes nests a stack's cgroup under the runner's own group; where that group cannot hold
 * children, it falls back to the top of the hierarchy instead of giving up the quotas. Checked on
 * a directory tree standing in for a cgroup v1 mount (the files are plain files there).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setUpBoxes } from '../../../runner/host/boxes.ts';
import type { PlannedService } from '../../../services/shared/topology/plan.ts';

const dir = mkdtempSync(join(tmpdir(), 'boxes-fallback-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const web = {
  name: 'web-1',
  box: 'web-1',
  appBox: true,
  quota: { cpus: 0.25 },
} as unknown as PlannedService;

test('boxes nest under the runner group, or fall back to the top when they cannot', () => {
  const root = join(dir, 'cpu');
  const stackDir = join(dir, 'stack');
  mkdirSync(stackDir);
  const nested = setUpBoxes([web], stackDir, 0.25, { version: 'v1', root, parent: 'bench' });
  assert.equal(nested.enforced, true);
  const group = nested.list[0]?.cgroup ?? '';
  assert.match(group, new RegExp(`^${root}/bench/scaling-lab-[0-9a-f]+/web-1$`));
  assert.equal(readFileSync(join(group, 'cpu.cfs_quota_us'), 'utf8'), '25000');
  assert.equal(readFileSync(join(stackDir, 'cgroup'), 'utf8').trim(), join(group, '..'));

  // A parent that cannot hold directories (here a plain file): the stack goes to the top.
  writeFileSync(join(root, 'blocked'), '');
  const other = join(dir, 'other-stack');
  mkdirSync(other);
  const top = setUpBoxes([web], other, 0.25, { version: 'v1', root, parent: 'blocked' });
  assert.equal(top.enforced, true);
  assert.match(top.list[0]?.cgroup ?? '', new RegExp(`^${root}/scaling-lab-[0-9a-f]+/web-1$`));
});
