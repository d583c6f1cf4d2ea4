/**
 * Real thumbnail worker processes for a test (`node dist/services/worker/server.js`, built by the
 * integration entry), wired to the same database, queue, Redis and S3 store as the test's web app.
 * Each is killed when the test ends, if it is still running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { probeHttp } from '../../runner/host/probes.ts';
import { findRepoDir } from '../../runner/host/repo-dir.ts';
import { waitUntil } from '../../services/shared/wait-until.ts';
import { serviceOf } from './stack.ts';
import type { TestWeb } from './web-app.ts';

export interface TestWorker {
  readonly name: string;
  readonly proc: ChildProcess;
  /** Resolves with how the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Its log lines (stdout and stderr). */
  readonly output: string[];
  /** The health and metrics base URL, once it listens. */
  url(): Promise<string>;
  waitReady(timeoutMs?: number): Promise<void>;
  signal(signal: NodeJS.Signals): void;
}

export function workerEnv(web: TestWeb, env: Record<string, string> = {}): Record<string, string> {
  const { stack, config } = web;
  const primary = serviceOf(stack, 'mysql-primary');
  if (stack.s3 === null || config.REDIS_URL === undefined)
    throw new Error('the worker needs the S3 store and Redis');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    REDIS_URL: config.REDIS_URL,
    QUEUE_NAME: config.QUEUE_NAME,
    MYSQL_PRIMARY: `${primary.host}:${primary.ports.mysql}`,
    MYSQL_USER: stack.mysql.user,
    MYSQL_PASSWORD_FILE: stack.secrets['mysql-password'],
    MYSQL_DATABASE: web.database,
    S3_ENDPOINT: stack.s3.endpoint,
    S3_BUCKET: stack.s3.bucket,
    S3_REGION: stack.s3.region,
    S3_ACCESS_KEY_ID: stack.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY_FILE: stack.secrets['s3-secret-access-key'],
    ...env,
  };
}

/** Starts a worker process; `env` overrides what workerEnv gives. Does not wait for readiness. */
export function startTestWorker(
  t: TestContext,
  web: TestWeb,
  env: Record<string, string> = {},
): TestWorker {
  const name = env.WORKER_ID ?? `worker-${randomBytes(3).toString('hex')}`;
  const script = join(findRepoDir(), 'dist/services/worker/server.js');
  const proc = spawn(process.execPath, [script], {
    env: workerEnv(web, { WORKER_ID: name, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let listening: ((url: string) => void) | undefined;
  const url = new Promise<string>((resolve) => {
    listening = resolve;
  });
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      output.push(line);
      const at = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (at?.[1] !== undefined) listening?.(at[1]);
    }
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      await exited;
    }
  });
  return {
    name,
    proc,
    exited,
    output,
    url: () => url,
    async waitReady(timeoutMs = 20_000) {
      const base = await Promise.race([
        url,
        exited.then(() => {
          throw new Error(`worker ${name} exited: ${output.slice(-5).join('\n')}`);
        }),
      ]);
      await waitUntil(() => probeHttp(`${base}/health/ready`), {
        what: `worker ${name}`,
        timeoutMs,
      });
    },
    signal: (signal) => proc.kill(signal),
  };
}
