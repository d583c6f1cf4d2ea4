/**
 * Child processes for the benchmark: scripts of this repository (compiled .js under dist/, or .ts
 * through tsx when run from source), optionally pinned to a CPU with taskset; and /proc readings
 * (CPU time, RSS) of a process and its children.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fromSource = import.meta.url.endsWith('.ts');
const ext = fromSource ? '.ts' : '.js';

/** Path of a repository script relative to this folder, in the form this run uses. */
export const script = (relative: string): string =>
  fileURLToPath(new URL(`${relative}${ext}`, import.meta.url));

export interface Started {
  readonly proc: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first stdout line that satisfies `match`. */
  waitFor(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export function start(
  command: string,
  args: readonly string[],
  options: { cpu?: number; env?: Record<string, string> } = {},
): Started {
  const full =
    options.cpu === undefined
      ? [command, ...args]
      : ['taskset', '-c', String(options.cpu), command, ...args];
  const proc = spawn(full[0] as string, full.slice(1), {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let buffer = '';
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl = buffer.indexOf('\n');
    while (nl !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (lines.length < 2000) lines.push(line);
      for (const w of waiters.splice(0)) {
        if (w.match(line)) w.resolve(line);
        else waiters.push(w);
      }
      nl = buffer.indexOf('\n');
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    lines,
    waitFor(match, timeoutMs = 30_000) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${command}: no matching line; got:\n${lines.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then(() => reject(new Error(`${command} exited:\n${lines.join('\n')}`)));
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function node(
  relative: string,
  args: readonly string[],
  options: { cpu?: number; env?: Record<string, string> } = {},
): Started {
  const pre = fromSource ? ['--import', 'tsx'] : [];
  return start(process.execPath, [...pre, script(relative), ...args], options);
}

/** The process and all its descendants (the LB's cluster workers, say). */
function family(pid: number): number[] {
  const out = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(...family(Number(entry)));
    } catch {
      // the process went away while we looked
    }
  }
  return out;
}

const TICK_MICROS = 10_000; // CLK_TCK = 100 on Linux

/** CPU time (µs, user + system) used so far by the process and its descendants. */
export function cpuMicros(pid: number): number {
  let ticks = 0;
  for (const p of family(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks * TICK_MICROS;
}

/** Resident memory (bytes) of the process and its descendants. */
export function rssBytes(pid: number): number {
  let kb = 0;
  for (const p of family(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb * 1024;
}
