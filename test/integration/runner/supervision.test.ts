/**
 * Issue 7 item 1 through the real CLI, on a stack started in the background (`make local` with
 * STACK_DETACH: the daemon runner supervises it). STAGE=1 (primary, setup, web-1, lb) keeps the
 * machine load small; supervision is the same at every stage. kill -9 of the web server: restarted
 * and back in the LB's rotation. SIGSTOP is not death. `stop` stays stopped; `start` and `restart`
 * answer once the service is ready. A crash loop (its port taken, so every start fails) gives up:
 * state failed, logged loudly; `start` brings it back once the cause is gone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePortBase } from '../../../runner/host/ports.ts';
import { processRunning } from '../../../runner/process/proc.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';
import type { LbStats } from '../../support/own-stack.ts';
import { processesOf, runCli, waitFor } from '../../support/runner-cli.ts';
import { readStackFile, type StackService, serviceOf } from '../../support/stack.ts';

const FLAGS = { STAGE: '1' } as const;

test('the daemon runner restarts what dies, keeps what was stopped, gives up on a crash loop', async (t) => {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-sup-'));
  const lease = await findFreePortBase((base) =>
    planStack(resolveFlags(FLAGS), { mode: 'native', portBase: base, stackDir }),
  );
  const env = {
    ...FLAGS,
    STACK_DIR: stackDir,
    STACK_PORT_BASE: String(lease.base),
    STACK_LOGS: 'quiet',
    STACK_DETACH: 'true',
  };
  const stackFile = join(stackDir, 'stack.json');
  let squatter: Server | undefined;
  t.after(async () => {
    squatter?.close();
    await runCli(['down'], env).exited;
    lease.release();
    rmSync(stackDir, { recursive: true, force: true });
  });
  const cli = async (...args: string[]) => {
    const run = runCli(args, env);
    const code = await run.exited;
    return { code, output: run.output() };
  };
  const web = (): StackService => serviceOf(readStackFile(stackFile), 'web-1');
  const webInRotation = async () => {
    try {
      const lb = serviceOf(readStackFile(stackFile), 'lb');
      const r = await fetch(`http://${lb.host}:${lb.ports.admin}/stats.json`, {
        signal: AbortSignal.timeout(3000),
      });
      const stats = (await r.json()) as LbStats;
      return stats.pools.some((p) => p.backends.some((b) => b.up));
    } catch {
      return false;
    }
  };

  // Started in the background: the CLI returned, the daemon runner stays and owns the stack.
  const up = await cli('up');
  assert.equal(up.code, 0, up.output);
  const info = readStackFile(stackFile);
  assert.equal(info.runner.detached, true);
  assert.ok(processRunning(info.runner.pid), 'the daemon runner stays');
  assert.ok(info.services.every((s) => s.oneShot || s.state === 'running'));

  // 1. kill -9 of the web server: restarted with a new pid, and back in the LB's rotation.
  const first = web();
  process.kill(first.pid ?? 0, 'SIGKILL');
  await waitFor(
    'web-1 restarted',
    () => web().state === 'running' && web().pid !== first.pid,
    30_000,
  );
  assert.equal(web().restarts, 1);
  await waitFor('web-1 back in rotation', webInRotation, 15_000);

  // 2. SIGSTOP is a hang, not a death: nothing is restarted.
  const paused = web();
  process.kill(paused.pid ?? 0, 'SIGSTOP');
  await sleep(3000);
  assert.deepEqual([web().pid, web().state, web().restarts], [paused.pid, 'running', 1]);
  process.kill(paused.pid ?? 0, 'SIGCONT');

  // 3. stop stays stopped; start and restart answer once the service is ready.
  const stop = await cli('stop', 'web-1');
  assert.equal(stop.code, 0, stop.output);
  assert.equal(web().state, 'stopped');
  assert.ok(!processRunning(paused.pid ?? 0), 'the process is gone');
  await sleep(3000);
  assert.equal(web().state, 'stopped', 'a deliberate stop is not undone');
  assert.equal(web().pid, null);
  const start = await cli('start', 'web-1');
  assert.equal(start.code, 0, start.output);
  assert.equal(web().state, 'running');
  const beforeRestart = web().pid;
  const restart = await cli('restart', 'web-1');
  assert.equal(restart.code, 0, restart.output);
  assert.equal(web().state, 'running');
  assert.notEqual(web().pid, beforeRestart);
  assert.ok(processRunning(web().pid ?? 0));
  const unknown = await cli('stop', 'no-such-service');
  assert.equal(unknown.code, 1);
  assert.match(unknown.output, /STACK_ERR_UNKNOWN_SERVICE/);
  assert.equal(web().restarts, 1, 'deliberate restarts are not counted');

  // 4. A crash loop: its port is taken, so every start fails (the first one on request). It gives up.
  const victim = web();
  assert.equal((await cli('stop', 'web-1')).code, 0);
  squatter = createServer((socket) => socket.destroy());
  const taken = squatter;
  await new Promise<void>((resolve, reject) => {
    taken.once('error', reject);
    taken.listen(victim.ports.http, victim.host, resolve);
  });
  const doomed = await cli('start', 'web-1');
  assert.equal(doomed.code, 1, doomed.output);
  assert.match(doomed.output, /exited during start-up/);
  await waitFor('web-1 given up', () => web().state === 'failed', 120_000);
  const log = readFileSync(join(stackDir, 'runner.log'), 'utf8');
  assert.match(log, /web-1 GAVE UP: it crashed 5 times within 120 s/);
  assert.equal(web().pid, null);
  await sleep(2000);
  assert.equal(web().state, 'failed', 'nothing restarts a failed service on its own');
  taken.close();
  squatter = undefined;
  const again = await cli('start', 'web-1');
  assert.equal(again.code, 0, again.output);
  assert.equal(web().state, 'running');
  await waitFor('web-1 back in rotation', webInRotation, 15_000);

  // 5. down stops the daemon and everything it supervised.
  const down = await cli('down');
  assert.equal(down.code, 0, down.output);
  assert.deepEqual(processesOf(stackDir), []);
  assert.ok(!processRunning(info.runner.pid), 'the daemon runner is gone');
});
