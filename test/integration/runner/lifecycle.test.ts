/**
 * The runner's life cycle through its real CLI (what `make local` / `make down` run), on its own
 * small stack (STAGE=1: primary, setup, web-1, lb) in a temporary directory on free ports:
 * foreground start, kill -9 of the runner and of children, a start that recovers (stale pids,
 * sockets, a half-initialised data directory), Ctrl-C twice, detached start, a refused second
 * start (its daemon runner keeps the stack), `down` stopping in reverse dependency order and leaving
 * no process behind.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectController } from '../../../runner/host/boxes.ts';
import { stackGroup } from '../../../runner/host/cgroups.ts';
import { instancePaths } from '../../../runner/host/paths.ts';
import { findFreePortBase } from '../../../runner/host/ports.ts';
import { probeTls } from '../../../runner/host/probes.ts';
import { processRunning } from '../../../runner/process/proc.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';
import { processesOf, type Run, runCli, waitFor } from '../../support/runner-cli.ts';
import { readStackFile } from '../../support/stack.ts';

const FLAGS = { STAGE: '1' } as const;

/** stack.json exists and was written by the runner `run`. */
function writtenBy(stackFile: string, run: Run): () => boolean {
  return () => {
    try {
      return readStackFile(stackFile).runner.pid === run.child.pid;
    } catch {
      return false;
    }
  };
}

test('kill -9, recovery, Ctrl-C, detached start, refused restart, down', async (t) => {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-life-'));
  const lease = await findFreePortBase((base) =>
    planStack(resolveFlags(FLAGS), { mode: 'native', portBase: base, stackDir }),
  );
  const env = {
    ...FLAGS,
    STACK_DIR: stackDir,
    STACK_PORT_BASE: String(lease.base),
    STACK_LOGS: 'quiet',
    STACK_STOP_GRACE_SECONDS: '10',
  };
  const stackFile = join(stackDir, 'stack.json');
  t.after(async () => {
    await runCli(['down'], env).exited;
    lease.release();
    rmSync(stackDir, { recursive: true, force: true });
  });

  // 1. Foreground start; then kill -9 the runner and two of its children.
  const first = runCli(['up'], env);
  await waitFor('first start', writtenBy(stackFile, first), 120_000, first);
  const one = readStackFile(stackFile);
  assert.equal(one.runner.detached, false);
  const pidOf = (name: string) => one.services.find((s) => s.name === name)?.pid ?? 0;
  first.child.kill('SIGKILL');
  await first.exited;
  process.kill(pidOf('web-1'), 'SIGKILL');
  process.kill(pidOf('mysql-primary'), 'SIGKILL');
  const orphanLb = pidOf('lb');
  assert.ok(processRunning(orphanLb), 'the LB is left running as an orphan');
  const primary = instancePaths(stackDir, 'mysql-primary');
  assert.ok(existsSync(primary.socket), 'kill -9 left the MariaDB socket behind');
  // And a data directory whose initialisation never finished.
  rmSync(primary.marker);
  writeFileSync(join(primary.data, 'half-written'), 'junk');

  // 2. A new foreground start recovers: orphans stopped, stale files gone, data dir re-made.
  const second = runCli(['up'], env);
  await waitFor('recovered start', writtenBy(stackFile, second), 120_000, second);
  const two = readStackFile(stackFile);
  assert.ok(!processRunning(orphanLb), 'the orphaned LB was stopped');
  assert.ok(!existsSync(join(primary.data, 'half-written')), 'half-initialised datadir re-made');
  assert.ok(existsSync(primary.marker));
  await probeTls('127.0.0.1', Number(new URL(two.entry ?? '').port));
  const twoPids = two.services.flatMap((s) => (s.pid === null ? [] : [s.pid]));
  assert.deepEqual(
    processesOf(stackDir).sort((a, b) => a - b),
    twoPids.sort((a, b) => a - b),
    'exactly the recorded processes run',
  );

  // 3. Ctrl-C stops in order; with web-1 hung (SIGSTOP) the runner would wait out the grace
  //    period, but a second Ctrl-C kills what is left at once; exit 0, nothing left.
  const hung = two.services.find((s) => s.name === 'web-1')?.pid ?? 0;
  process.kill(hung, 'SIGSTOP');
  const stopping = Date.now();
  second.child.kill('SIGINT');
  await sleep(500);
  second.child.kill('SIGINT');
  assert.equal(await second.exited, 0, second.output());
  assert.ok(Date.now() - stopping < 8000, 'did not wait out the 10 s grace period');
  assert.match(second.output(), /killing every process now/);
  assert.deepEqual(processesOf(stackDir), [], 'Ctrl-C left nothing running');
  assert.ok(!existsSync(stackFile));

  // 4. Detached start returns once ready; a second start is refused; down stops it all.
  const detached = runCli(['up', '--detach'], env);
  assert.equal(await detached.exited, 0, detached.output());
  assert.match(detached.output(), /ready in \d+\.\d s/);
  const three = readStackFile(stackFile);
  assert.equal(three.runner.detached, true);
  assert.ok(three.services.every((s) => s.pid === null || processRunning(s.pid)));
  const again = runCli(['up', '--detach'], env);
  assert.equal(await again.exited, 1);
  assert.match(again.output(), /already running/);
  assert.match(again.output(), /STACK_ERR_BUSY/);
  const down = runCli(['down'], env);
  assert.equal(await down.exited, 0, down.output());
  // Reverse dependency order: the LB, then the web server, then the database.
  const order = [...down.output().matchAll(/(\S+) stopped how=/g)].map((m) => m[1]);
  assert.deepEqual(order, ['lb', 'web-1', 'mysql-primary'], down.output());
  assert.deepEqual(processesOf(stackDir), [], 'down left nothing running');
  assert.ok(!existsSync(stackFile));
  const controller = detectController();
  if (controller) assert.ok(!existsSync(stackGroup(controller, stackDir)), 'cgroups removed');
});
