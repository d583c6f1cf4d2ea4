/**
 * A whole native stack of a test's own, for fault drills that must not disturb the shared one:
 * the product's defaults unless the test passes flags, started on a free port base in a temporary
 * directory, stopped and removed when the test ends. Also the LB's admin view of it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startStack } from '../../runner/stack/api.ts';
import { Client } from './http.ts';
import { baseStackEnv, type StackFile, serviceOf } from './stack.ts';

export interface OwnStack {
  /** stack.json when the stack was ready (read `stackFile` again for restarted pids). */
  readonly info: StackFile;
  readonly stackFile: string;
  /** The LB's development certificate, to trust it. */
  readonly ca: Buffer;
  /** A new HTTPS client of the entry URL (its own cookie jar). */
  client(): Client;
  /** The LB's /stats.json. */
  stats(): Promise<LbStats>;
}

export interface LbBackendStats {
  readonly address: string;
  readonly up: boolean;
  readonly ejections: number;
  readonly check: { readonly result: string; readonly detail: string };
}

export interface LbPoolStats {
  readonly name: string;
  readonly noBackend: number;
  readonly mode?: string;
  readonly backends: readonly LbBackendStats[];
  readonly [counter: string]: unknown;
}

export interface LbStats {
  readonly pools: readonly LbPoolStats[];
  readonly rejected: Readonly<Record<string, number>>;
}

/** Starts a stack with `flags` (nothing = the product's defaults); stopped when `t` ends. */
export async function startOwnStack(
  t: TestContext,
  flags: Record<string, string> = {},
): Promise<OwnStack> {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-own-'));
  const stack = await startStack({
    env: { ...baseStackEnv(), ...flags },
    stackDir,
    portBase: 'auto',
  });
  t.after(async () => {
    // A drill that failed half-way may have left a process paused: it must be able to stop.
    for (const s of stack.info.services) {
      try {
        if (s.pid !== null) process.kill(s.pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await stack.stop();
    rmSync(stackDir, { recursive: true, force: true });
  });
  const info = stack.info;
  const lb = serviceOf(info, 'lb');
  const ca = readFileSync(join(lb.dataDir, 'dev-cert.pem'));
  const admin = `http://${lb.host}:${lb.ports.admin}`;
  return {
    info,
    stackFile: stack.stackFile,
    ca,
    client: () => new Client(info.entry ?? '', { ca }),
    async stats() {
      const response = await fetch(`${admin}/stats.json`, { signal: AbortSignal.timeout(5000) });
      return (await response.json()) as LbStats;
    },
  };
}

/** Polls `check` every 100 ms until it holds; fails with `what` after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
