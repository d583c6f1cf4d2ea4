/**
 * The shared stack (started by run.ts) is up as stack.json says: every planned service is running
 * where it says, the entry answers over HTTPS, secrets are private, and app boxes have their quota.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { test } from 'node:test';
import { parseQuota } from '../../../runner/host/cgroups.ts';
import { probeHttp, probeTls } from '../../../runner/host/probes.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';
import { readStackFile } from '../../support/stack.ts';

const stack = readStackFile();

const listening = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(3000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });

test('stack.json lists exactly the planned services, with live pids and listening ports', async () => {
  const plan = planStack(resolveFlags(stack.flags), {
    mode: 'native',
    portBase: stack.portBase,
    stackDir: stack.stackDir,
  });
  const planned = plan.services
    .filter((s) => stack.entry !== null || (s.kind !== 'web' && s.kind !== 'lb'))
    .map((s) => s.name);
  assert.deepEqual(
    stack.services.map((s) => s.name),
    planned,
  );
  for (const s of stack.services) {
    if (s.oneShot) {
      assert.equal(s.pid, null, `${s.name} is one-shot`);
      continue;
    }
    assert.ok(s.pid !== null && statSync(`/proc/${s.pid}`).isDirectory(), `${s.name} runs`);
    for (const port of Object.values(s.ports))
      assert.ok(await listening(s.host, port), `${s.name} listens on ${s.host}:${port}`);
    assert.ok(statSync(s.logFile).isFile(), `${s.name} has a log`);
  }
});

test('the entry is the LB over HTTPS and the stack is ready through it', async (t) => {
  if (stack.entry === null) {
    t.diagnostic('data-tier stack: no entry');
    assert.equal(
      stack.services.some((s) => s.kind === 'lb'),
      false,
    );
    return;
  }
  const lb = stack.services.find((s) => s.kind === 'lb');
  assert.equal(stack.entry, `https://localhost:${lb?.ports.https}`);
  await probeTls('127.0.0.1', lb?.ports.https ?? 0);
  for (const web of stack.services.filter((s) => s.kind === 'web'))
    await probeHttp(`${web.url}/health/ready`);
});

test('secrets are files only the owner can read, and mysql names are recorded', () => {
  for (const [name, file] of Object.entries(stack.secrets)) {
    assert.equal(statSync(file).mode & 0o777, 0o600, name);
    assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{48}$/, `${name} is random hex`);
  }
  assert.deepEqual(stack.mysql, {
    user: 'app',
    database: 'scaling_lab',
    rootUser: 'root',
    replicationUser: 'replicator',
  });
});

test('app boxes run under a CPU quota of BOX_CPUS; data stores run without one', (t) => {
  if (!stack.boxes.enforced) {
    // Machines without a writable cpu controller run unconfined and say so.
    assert.equal(stack.boxes.controller, 'none');
    assert.ok(stack.boxes.reason);
    t.diagnostic(`quotas not enforced here: ${stack.boxes.reason}`);
    return;
  }
  const version = stack.boxes.controller === 'cgroup-v1' ? 'v1' : 'v2';
  const cpus = Number(stack.flags.BOX_CPUS);
  for (const s of stack.services) {
    if (s.pid === null) continue;
    const box = stack.boxes.list.find((b) => b.name === s.box);
    assert.ok(box, `${s.name} has a box`);
    const membership = readFileSync(`/proc/${s.pid}/cgroup`, 'utf8');
    if (box.appBox) {
      assert.ok(box.cgroup, `${box.name} has a cgroup`);
      const relativeGroup = (box.cgroup ?? '').split('/').slice(-2).join('/');
      assert.ok(membership.includes(relativeGroup), `${s.name} is in ${relativeGroup}`);
      const file = version === 'v1' ? 'cpu.cfs_quota_us' : 'cpu.max';
      assert.equal(parseQuota(version, readFileSync(`${box.cgroup}/${file}`, 'utf8')), cpus);
    } else {
      assert.equal(box.cgroup, null, `${s.name} has no quota`);
      assert.ok(!membership.includes('scaling-lab-'), `${s.name} is not in a stack cgroup`);
    }
  }
});
