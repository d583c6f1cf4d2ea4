/**
 * A test's own memcached or redis-server process, on a free loopback port, for faults the shared
 * stack must not see (pausing the shared memcached would disturb every test running beside). It
 * can be paused (SIGSTOP: the port still accepts connections, nothing answers), resumed,
 * stopped and started again, and is killed when the test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { findBinary } from '../../runner/host/binaries.ts';
import { findRepoDir } from '../../runner/host/repo-dir.ts';
import { waitUntil } from '../../services/shared/wait-until.ts';

export interface OwnServer {
  readonly host: string;
  readonly port: number;
  /** `host:port` */
  readonly address: string;
  pause(): void;
  resume(): void;
  /** Stops it cleanly (SIGTERM: its data is kept) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

const accepts = (host: string, port: number) =>
  new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });

async function own(
  t: TestContext,
  binary: string,
  args: (port: number) => string[],
): Promise<OwnServer> {
  const file = findBinary(binary, process.env.PATH ?? '');
  if (file === undefined) throw new Error(`${binary} is not installed (make deps)`);
  const host = '127.0.0.1';
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(file, args(port), { stdio: 'ignore' });
    await waitUntil(() => accepts(host, port), {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: `${binary} on ${port}`,
    });
  };
  t.after(() => {
    child?.kill('SIGCONT');
    child?.kill('SIGKILL');
  });
  await start();
  return {
    host,
    port,
    address: `${host}:${port}`,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop: async () => {
      const stopping = child;
      const exited = new Promise((resolve) => stopping?.once('exit', resolve));
      stopping?.kill('SIGTERM');
      await exited;
    },
    start,
  };
}

const asRoot = process.getuid?.() === 0;

/** memcached as the runner starts it (64 MB, no UDP). */
export const ownMemcached = (t: TestContext): Promise<OwnServer> =>
  own(t, 'memcached', (port) => [
    ...['--listen', '127.0.0.1', '--port', String(port), '--udp-port', '0', '--memory-limit', '64'],
    ...(asRoot ? ['--user', 'root'] : []),
  ]);

/** redis-server with the stack's own redis.conf, its data in a temporary folder. */
export const ownRedis = (t: TestContext): Promise<OwnServer> => {
  const dir = mkdtempSync(join(tmpdir(), 'own-redis-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return own(t, 'redis-server', (port) => [
    join(findRepoDir(), 'infra', 'redis', 'redis.conf'),
    ...['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--daemonize', 'no'],
  ]);
};
