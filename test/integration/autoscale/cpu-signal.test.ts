/**
 * The autoscaler's `cpu` signal (AUTOSCALE_METRIC=cpu) read from real processes: each child is a
 * prom-client registry with the default metrics, as the web servers expose them, in a real CPU box
 * (a cgroup capped at 0.2 CPU, as the runner makes them). A child spinning in its box reads the
 * CPU the kernel says it used over its quota (never above it), an idle one near 0, and the same
 * spinning child read against a quota twice as large reads half as much: the signal is CPU
 * against BOX_CPUS, not raw CPU.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
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

/** utime + stime of a process, from /proc (clock ticks of 1/100 s on Linux). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

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
  const pid = children[0]?.pid ?? 0;
  const before = { cpu: processCpuSeconds(pid), at: performance.now() };
  assert.deepEqual(await read(), [null, null, null], 'one reading is not a rate yet');
  await new Promise((r) => setTimeout(r, 3000));
  const [full, half, none] = await read();
  // What the kernel says the spinning process used, as a share of its quota: the signal's truth
  // (on a busy machine a box may get less than its quota, so the signal is not asserted to be 1).
  const used =
    (processCpuSeconds(pid) - before.cpu) / ((performance.now() - before.at) / 1000) / QUOTA;
  assert.ok(full !== null && half !== null && none !== null);
  assert.ok(full < 1.2, `the quota caps the box: ${full}`);
  assert.ok(Math.abs(full - used) < 0.1 + used * 0.1, `the signal ${full} is the CPU used ${used}`);
  assert.ok(full > none + 0.2, `a spinning box reads above an idle one: ${full} vs ${none}`);
  assert.ok(Math.abs(half / full - 0.5) < 0.05, `twice the quota reads half: ${half} vs ${full}`);
  assert.ok(none < 0.3, `an idle box: ${none}`);
});
