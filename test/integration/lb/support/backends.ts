/**
 * Real backend processes for the LB's integration tests (loadtest/bench-lb/backend.ts), each on
 * its own 127.0.0.x address, so a test can kill -9, SIGSTOP or restart them. Every backend started
 * here is killed when the test ends, pass or fail.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../../loadtest/bench-lb/backend.ts', import.meta.url));

/** ok; fail (500 to everything but readiness); or a status such as '502' or '503'. */
export type BackendMode = 'ok' | 'fail' | `${number}`;

export interface TestBackend {
  readonly id: string;
  readonly host: string;
  port: number;
  readonly address: () => string;
  /** `METHOD request-id path` for every request received (when recording). */
  readonly requests: string[];
  proc: ChildProcess;
  signal(sig: NodeJS.Signals): void;
  /** Kills with SIGKILL and waits for the exit. */
  kill(): Promise<void>;
  /** Starts a new process on the same address and port. */
  restart(): Promise<void>;
  /** Waits for the process to exit (after SIGTERM, say). */
  exited(): Promise<void>;
}

function launch(
  host: string,
  port: number,
  id: string,
  record: boolean,
  drainMs: number,
  mode: BackendMode,
  sink: string[],
) {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SCRIPT,
      host,
      String(port),
      id,
      record ? 'record' : 'no',
      String(drainMs),
      mode,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = new Promise<number>((resolve, reject) => {
    let buffer = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('READY ')) resolve(Number(line.slice(6)));
        else if (line.startsWith('REQ ')) sink.push(line.slice(4));
        nl = buffer.indexOf('\n');
      }
    });
    proc.once('exit', (code) => reject(new Error(`backend ${id} exited early (${code})`)));
  });
  return { proc, ready };
}

const exitOf = (proc: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });

export async function startBackend(
  t: TestContext,
  host: string,
  id: string,
  options: { record?: boolean; drainMs?: number; port?: number; mode?: BackendMode } = {},
): Promise<TestBackend> {
  const record = options.record ?? false;
  const drainMs = options.drainMs ?? 1500;
  const mode = options.mode ?? 'ok';
  const requests: string[] = [];
  const first = launch(host, options.port ?? 0, id, record, drainMs, mode, requests);
  const backend: TestBackend = {
    id,
    host,
    port: await first.ready,
    address: () => `${host}:${backend.port}`,
    requests,
    proc: first.proc,
    signal: (sig) => {
      backend.proc.kill(sig);
    },
    async kill() {
      backend.proc.kill('SIGKILL');
      await exitOf(backend.proc);
    },
    async restart() {
      const next = launch(host, backend.port, id, record, drainMs, mode, requests);
      backend.proc = next.proc;
      await next.ready;
    },
    exited: () => exitOf(backend.proc),
  };
  t.after(async () => {
    backend.proc.kill('SIGCONT');
    backend.proc.kill('SIGKILL');
    await exitOf(backend.proc);
  });
  return backend;
}

export async function startBackends(
  t: TestContext,
  count: number,
  firstOctet: number,
  options: { record?: boolean; drainMs?: number } = {},
): Promise<TestBackend[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      startBackend(t, `127.0.0.${firstOctet + i}`, `b${i + 1}`, options),
    ),
  );
}
