/**
 * A port the stack needs is taken: `up` stops before starting anything, naming the address, the
 * service and what to set.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findFreePortBase } from '../../../runner/host/ports.ts';
import { findRepoDir } from '../../../runner/host/repo-dir.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';
import { baseStackEnv } from '../../support/stack.ts';

test('up refuses to start when a planned port is in use, and says what to do', async (t) => {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-ports-'));
  const flags = { STAGE: '2' } as const;
  const lease = await findFreePortBase((base) =>
    planStack(resolveFlags(flags), { mode: 'native', portBase: base, stackDir }),
  );
  const squatter = createServer();
  await new Promise<void>((resolve) =>
    squatter.listen({ host: '127.0.0.11', port: lease.base + 306 }, resolve),
  );
  t.after(() => {
    squatter.close();
    lease.release();
    rmSync(stackDir, { recursive: true, force: true });
  });
  const child = spawn(process.execPath, [join(findRepoDir(), 'dist/runner/cli.js'), 'up'], {
    env: {
      ...baseStackEnv(),
      ...flags,
      STACK_DIR: stackDir,
      STACK_PORT_BASE: String(lease.base),
      STACK_LOGS: 'quiet',
    },
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    out += c;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 1, out);
  assert.match(
    out,
    new RegExp(`127\\.0\\.0\\.11:${lease.base + 306} \\(mysql-primary, mysql port\\)`),
  );
  assert.match(out, /STACK_PORT_BASE=\d+/);
  assert.match(out, /STACK_ERR_PORT_TAKEN/);
  assert.ok(!existsSync(join(stackDir, 'mysql-primary', 'pid')), 'nothing was started');
  assert.ok(!existsSync(join(stackDir, 'runner.pid')), 'the lock was released');
});
