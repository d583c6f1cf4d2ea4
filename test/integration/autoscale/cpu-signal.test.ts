/**
 * The autoscaler's `cpu` signal (AUTOSCALE_METRIC=cpu) read from real processes: each child is a
 * prom-client registry with the default metrics, as the web servers expose them, in a real CPU box
 * (a cgroup capped at 0.2 CPU, as the runner makes them). A child spinning in its box reads near
 * 1.0 (its whole quota), an idle one near 0, and the same spinning child read against a quota
 * twice as large reads half as much: the signal is CPU against BOX_CPUS, not raw CPU.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { detectController } from '../../../runner/host/boxes.ts';
import { procsFile, quotaWrites } from '../../../runner/host/cgroups.ts';
import { CpuReader } from '../../../services/autoscaler/cpu.ts';

const QUOTA = 0.2;

// A /metrics server on a free loopback port; with SPIN set, the main thread spins in 50 ms slices.
const CHILD = `
const http = require('node:http');
const { Registry, collectDefaultMetrics } = require('prom-client');
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const server = http.createServer(async (_req, res) => res.end(await registry.metrics()));
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
if (process.env.SPIN) setInterval(() => { const end = Date.now() + 50; while (Date.now() < end); }, 0);
`;

const controller = detectController();
const group =
  controller === undefined
    ? undefined
    : join(controller.root, `scaling-lab-cpu-signal-${process.pid}`);
const children: ChildProcess[] = [];

after(async () => {
  await Promise.all(
    children.map((c) => {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      return c.exitCode === null ? gone : undefined;
    }),
  );
  if (group !== undefined) rmdirSync(group);
});

async function child(spin: boolean): Promise<string> {
  const c = spawn(process.execPath, ['-e', CHILD], {
    env: { ...process.env, ...(spin ? { SPIN: '1' } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(c);
  if (group !== undefined && c.pid !== undefined) writeFileSync(procsFile(group), String(c.pid));
  const port = await new Promise<string>((resolve, reject) => {
    c.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()));
    c.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  return `127.0.0.1:${port}`;
}

test('the cpu signal is each server CPU against its box quota', async () => {
  assert.ok(
    controller !== undefined && group !== undefined,
    'this test needs a cgroup cpu controller',
  );
  mkdirSync(group, { recursive: true });
  for (const [file, value] of quotaWrites(controller.version, QUOTA))
    writeFileSync(join(group, file), value);
  const [spinning, idle] = await Promise.all([child(true), child(false)]);
  const atQuota = new CpuReader(QUOTA, 2000);
  const atDouble = new CpuReader(QUOTA * 2, 2000);
  const idleReader = new CpuReader(QUOTA, 2000);
  const read = () =>
    Promise.all([
      atQuota.perServer([spinning]),
      atDouble.perServer([spinning]),
      idleReader.perServer([idle]),
    ]);
  assert.deepEqual(await read(), [null, null, null], 'one reading is not a rate yet');
  await new Promise((r) => setTimeout(r, 3000));
  const [full, half, none] = await read();
  assert.ok(full !== null && half !== null && none !== null);
  assert.ok(full > 0.7 && full < 1.2, `a spinning box uses its whole quota: ${full}`);
  assert.ok(Math.abs(half / full - 0.5) < 0.05, `twice the quota reads half: ${half} vs ${full}`);
  assert.ok(none < 0.3, `an idle box: ${none}`);
});
