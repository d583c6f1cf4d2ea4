/**
 * Starts the LB for a test: in-process from app.ts (startLb) or as a real process from server.ts
 * (spawnLb, for workers and signals). Both are torn down when the test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLb, type Lb, type LbOptions } from '../../../../services/lb/app.ts';
import { loadLbConfig } from '../../../../services/lb/config/load.ts';
import { listenLb, type Ports } from '../../../../services/lb/listeners/listen.ts';
import { createLogger } from '../../../../services/shared/logger.ts';

export const ENGINES = ['undici', 'http-proxy'] as const;
export type EngineName = (typeof ENGINES)[number];

const SERVER = fileURLToPath(new URL('../../../../services/lb/server.ts', import.meta.url));
export const STICKY_SECRET = 'integration-test-secret-0123456789';

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'lb-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A test-friendly environment: free ports, TLS off, fast health checks, sticky secret set. */
export function baseEnv(t: TestContext, engine: EngineName, host: string): Record<string, string> {
  return {
    LB_HOST: host,
    LB_HTTP_PORT: '0',
    LB_HTTPS_PORT: '0',
    LB_ADMIN_PORT: '0',
    LB_TLS: 'off',
    LB_DATA_DIR: tempDir(t),
    LB_ENGINE: engine,
    LB_ALGORITHM: 'round-robin',
    STICKY: 'off',
    LB_STICKY_SECRET: STICKY_SECRET,
    LB_HEALTH_INTERVAL_MS: '300',
    LB_HEALTH_TIMEOUT_MS: '300',
    LB_HEALTH_RISE: '2',
    LB_HEALTH_FALL: '2',
    LB_ACCESS_LOG: 'off',
    LB_LOG_LEVEL: 'silent',
    LB_SHUTDOWN_TIMEOUT_MS: '5000',
  };
}

export interface RunningLb {
  readonly lb: Lb;
  readonly ports: Ports;
  readonly host: string;
  readonly origin: string;
}

export async function startLb(
  t: TestContext,
  env: Record<string, string>,
  options: Partial<LbOptions> = {},
): Promise<RunningLb> {
  const config = loadLbConfig(env);
  const lb = createLb(config, {
    logger: createLogger({ service: 'lb', instance: 'test', level: config.logLevel }),
    ...options,
  });
  t.after(() => lb.close());
  await lb.start();
  const ports = await listenLb(lb);
  const scheme = config.tls ? 'https' : 'http';
  const port = config.tls ? (ports.https as number) : ports.http;
  return { lb, ports, host: config.host, origin: `${scheme}://${config.host}:${port}` };
}

export interface SpawnedLb {
  readonly proc: ChildProcess;
  readonly ports: Ports;
  readonly exited: Promise<number | null>;
  readonly output: string[];
}

export async function spawnLb(t: TestContext, env: Record<string, string>): Promise<SpawnedLb> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { PATH: process.env.PATH ?? '', ...env, LB_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  t.after(async () => {
    proc.kill('SIGKILL');
    await exited;
  });
  const ports = await new Promise<Ports>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => reject(new Error(`LB did not start: ${output.join('\n')}`)),
      30_000,
    );
    proc.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
    proc.stdout?.on('data', (c: Buffer) => {
      buffer += c.toString();
      let nl = buffer.indexOf('\n');
      while (nl !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        output.push(line);
        if (line.includes('"lb listening"')) {
          clearTimeout(timer);
          const j = JSON.parse(line) as Ports;
          resolve({ http: j.http, https: j.https, admin: j.admin });
        }
        nl = buffer.indexOf('\n');
      }
    });
    exited.then((code) => reject(new Error(`LB exited with ${code}: ${output.join('\n')}`)));
  });
  return { proc, ports, exited, output };
}

export interface ExitedLb {
  readonly code: number | null;
  /** stdout and stderr, as they came. */
  readonly output: string;
}

/** Runs the LB process expecting it to stop by itself; SIGKILLs it after `timeoutMs`. */
export async function runLbUntilExit(
  t: TestContext,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<ExitedLb> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { PATH: process.env.PATH ?? '', ...env, LB_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => proc.kill('SIGKILL'));
  let output = '';
  proc.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  proc.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => proc.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

export function writeSecretFile(t: TestContext): string {
  const file = join(tempDir(t), 'secret');
  writeFileSync(file, STICKY_SECRET);
  return file;
}
