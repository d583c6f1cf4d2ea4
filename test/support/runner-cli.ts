/**
 * The runner's real CLI (what `make local`, `make down`, `make stop|start|restart` run) for tests
 * of its life cycle: run a command with an environment and collect its output, wait for a
 * condition, and find every process that carries a stack's marker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findRepoDir } from '../../runner/host/repo-dir.ts';
import { STACK_MARKER } from '../../runner/plan/launch-spec.ts';
import { processRunning } from '../../runner/process/proc.ts';
import { baseStackEnv } from './stack.ts';

const repo = findRepoDir();
const cli = join(repo, 'dist/runner/cli.js');

export interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

export function runCli(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: repo,
    env: { ...baseStackEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c) => {
    out += c;
  });
  child.stderr?.on('data', (c) => {
    out += c;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited, output: () => out };
}

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms: number,
  run?: Run,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: timed out\n${run?.output() ?? ''}`);
    await sleep(100);
  }
}

/** Every process on the machine that carries this stack's marker in its environment. */
export function processesOf(stackDir: string): number[] {
  const marker = `${STACK_MARKER}=${stackDir}\0`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) {
        if (processRunning(Number(entry))) pids.push(Number(entry));
      }
    } catch {
      // gone or not readable
    }
  }
  return pids;
}
