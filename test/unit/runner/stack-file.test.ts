import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Boxes } from '../../../runner/host/boxes.ts';
import { defaultStackFile } from '../../../runner/host/paths.ts';
import { describeStack } from '../../../runner/stack/stack-file.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import {
  planStack,
  SECRET_NAMES,
  type SecretName,
} from '../../../services/shared/topology/plan.ts';

const boxes: Boxes = { enforced: false, controller: 'none', reason: 'test', cpus: 1, list: [] };
const secrets = Object.fromEntries(
  SECRET_NAMES.map((name) => [name, `/s/secrets/${name}`]),
) as Record<SecretName, string>;

test('stack.json: entry, every service with pid, URLs, paths; setup has no pid', () => {
  const plan = planStack(resolveFlags({ STAGE: '2' }), {
    mode: 'native',
    portBase: 9000,
    stackDir: '/s',
  });
  const pids = new Map(plan.services.map((s, i) => [s.name, 1000 + i]));
  const info = describeStack(plan, '/s', {
    pids,
    runnerPid: 42,
    detached: true,
    startedAt: new Date('2026-01-01T00:00:00Z'),
    readyInMs: 1234,
    portBase: 9000,
    boxes,
    secrets,
  });
  assert.equal(info.entry, 'https://localhost:9443');
  assert.deepEqual(info.runner, { pid: 42, detached: true });
  assert.equal(info.flags.STAGE, '2');
  assert.equal(info.flags.STORAGE, 's3');
  const byName = new Map(info.services.map((s) => [s.name, s]));
  assert.equal(byName.get('web-1')?.url, 'http://127.0.0.31:9101');
  assert.equal(byName.get('web-1')?.pool, 'web');
  assert.equal(byName.get('s3')?.url, 'http://127.0.0.23:9900');
  assert.equal(byName.get('mysql-primary')?.url, null);
  assert.equal(byName.get('mysql-primary')?.serverId, 1);
  assert.equal(byName.get('mysql-primary')?.dataDir, '/s/mysql-primary/data');
  assert.equal(byName.get('mysql-primary')?.logFile, '/s/mysql-primary/log');
  assert.equal(byName.get('setup')?.pid, null);
  assert.equal(byName.get('lb')?.pid, pids.get('lb'));
  assert.deepEqual([byName.get('lb')?.state, byName.get('lb')?.restarts], ['running', 0]);
  assert.equal(byName.get('setup')?.state, 'finished');
  // The supervisor's view wins: a restarted web server shows its new pid and count.
  const supervised = describeStack(plan, '/s', {
    pids,
    supervision: (name) =>
      name === 'web-1' ? { state: 'restarting', pid: null, restarts: 3 } : undefined,
    runnerPid: 42,
    detached: false,
    startedAt: new Date('2026-01-01T00:00:00Z'),
    readyInMs: 1,
    portBase: 9000,
    boxes,
    secrets,
  }).services.find((x) => x.name === 'web-1');
  assert.deepEqual(
    [supervised?.state, supervised?.pid, supervised?.restarts],
    ['restarting', null, 3],
  );
  assert.deepEqual(info.mysql, {
    user: 'app',
    database: 'scaling_lab',
    rootUser: 'root',
    replicationUser: 'replicator',
  });
  assert.deepEqual(info.s3, {
    endpoint: 'http://127.0.0.23:9900',
    bucket: 'scaling-lab',
    region: 'us-east-1',
    accessKeyId: 'scalinglab',
    external: false,
  });
});

test('stage 1 has no object store; a data-tier-only stack has no entry', () => {
  const plan = planStack(resolveFlags({ STAGE: '1' }), {
    mode: 'native',
    portBase: 9000,
    stackDir: '/s',
  });
  const started = {
    pids: new Map<string, number>(),
    runnerPid: 1,
    detached: false,
    startedAt: new Date(),
    readyInMs: 1,
    portBase: 9000,
    boxes,
    secrets,
  };
  assert.equal(describeStack(plan, '/s', started).s3, null);
  const dataOnly = { ...plan, services: plan.services.filter((s) => s.kind !== 'lb') };
  assert.equal(describeStack(dataOnly, '/s', started).entry, null);
});

test('tools find the stack in STACK_DIR unless STACK_FILE names it', () => {
  assert.equal(defaultStackFile({}), '.stack/stack.json');
  assert.equal(defaultStackFile({ STACK_DIR: '' }), '.stack/stack.json');
  assert.equal(defaultStackFile({ STACK_DIR: '/tmp/lab' }), '/tmp/lab/stack.json');
});
