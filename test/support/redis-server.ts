/**
 * A private redis-server for one test (for pausing, killing and misconfiguring Redis without
 * touching the shared stack's): the product's infra/redis/redis.conf on a free loopback port, its
 * own data directory (so a restart reloads the AOF), stopped when the test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { probeRedis } from '../../runner/host/probes.ts';
import { findRepoDir } from '../../runner/host/repo-dir.ts';
import { waitUntil } from '../../services/shared/wait-until.ts';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

export interface TestRedis {
  readonly url: string;
  readonly pid: () => number;
  pause(): void;
  resume(): void;
  /** SIGKILL, like a crash: what the AOF had not written yet is lost. */
  kill(): Promise<void>;
  /** SIGTERM, a clean shutdown: the AOF is flushed, nothing is lost. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
}

export async function startTestRedis(t: TestContext, extraArgs: string[] = []): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const conf = join(findRepoDir(), 'infra', 'redis', 'redis.conf');
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const args = [conf, '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, ...extraArgs];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    proc = child;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitUntil(() => probeRedis('127.0.0.1', port), { what: 'test redis', timeoutMs: 10_000 });
  };
  const stopWith = (signal: NodeJS.Signals) => async () => {
    proc?.kill(signal);
    await exited;
  };
  const kill = stopWith('SIGKILL');
  await start();
  t.after(async () => {
    proc?.kill('SIGCONT');
    await kill();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: () => proc?.pid ?? 0,
    pause: () => proc?.kill('SIGSTOP'),
    resume: () => proc?.kill('SIGCONT'),
    kill,
    stop: stopWith('SIGTERM'),
    start,
  };
}
