/**
 * One wrk run pinned to the generator's CPU: req/s, p99 and how much CPU wrk itself used (read
 * with the shell's `times` after wrk exits), so a row where the generator was the limit can say so.
 */
import { execFile } from 'node:child_process';

export interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Non-2xx/3xx answers plus socket errors. */
  readonly failures: number;
  /** wrk's user + system CPU, in seconds. */
  readonly generatorCpuSeconds: number;
}

export interface WrkOptions {
  readonly url: string;
  readonly cpu: number;
  readonly connections: number;
  readonly seconds: number;
}

const MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** `0m1.234s` → seconds. */
const clock = (text: string): number => {
  const m = /^(\d+)m([\d.]+)s$/.exec(text.trim());
  return m === null ? 0 : Number(m[1]) * 60 + Number(m[2]);
};

export function parseWrk(out: string): Omit<WrkResult, 'generatorCpuSeconds'> {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const quantile = (q: string): number => {
    const m = new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m === null ? 0 : Number(m[1]) * (MS[m[2] ?? 'ms'] ?? 1);
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socket = errors === null ? 0 : errors.slice(1).reduce((s, n) => s + Number(n), 0);
  return {
    rps,
    p50Ms: quantile('50'),
    p99Ms: quantile('99'),
    requests,
    failures: non2xx + socket,
  };
}

export function runWrk(o: WrkOptions): Promise<WrkResult> {
  const script = `taskset -c ${o.cpu} wrk -t1 -c${o.connections} -d${o.seconds}s --latency "$0"; times`;
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', script, o.url], { timeout: (o.seconds + 30) * 1000 }, (error, stdout) => {
      if (error) {
        reject(error);
        return;
      }
      const lines = stdout.trimEnd().split('\n');
      const children = (lines.at(-1) ?? '').trim().split(/\s+/);
      const cpu = clock(children[0] ?? '') + clock(children[1] ?? '');
      resolve({ ...parseWrk(stdout), generatorCpuSeconds: cpu });
    });
  });
}
