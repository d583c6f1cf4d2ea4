/**
 * A private memcached for one test (for pausing it without touching the shared stack's, which every
 * test beside reads through): sized and started as the runner starts it, on a free loopback port,
 * stopped when the test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { findBinary } from '../../runner/host/binaries.ts';
import { probeMemcached } from '../../runner/host/probes.ts';
import { waitUntil } from '../../services/shared/wait-until.ts';
import { freePort } from './redis-server.ts';

export interface TestMemcached {
  /** `host:port`, as MEMCACHED_SERVERS takes it. */
  readonly address: string;
  pause(): void;
  resume(): void;
}

export async function startTestMemcached(t: TestContext): Promise<TestMemcached> {
  const binary = findBinary('memcached', process.env.PATH ?? '');
  if (binary === undefined) throw new Error('memcached is not installed (make deps)');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0 ? ['--user', 'root'] : [];
  const args = ['--listen', '127.0.0.1', '--port', String(port), '--udp-port', '0'];
  const proc: ChildProcess = spawn(binary, [...args, '--memory-limit', '64', ...asRoot], {
    stdio: 'ignore',
  });
  t.after(() => {
    proc.kill('SIGCONT');
    proc.kill('SIGKILL');
  });
  await waitUntil(() => probeMemcached('127.0.0.1', port), {
    what: 'test memcached',
    timeoutMs: 10_000,
  });
  return {
    address: `127.0.0.1:${port}`,
    pause: () => proc.kill('SIGSTOP'),
    resume: () => proc.kill('SIGCONT'),
  };
}
