/**
 * One load run with autocannon, with latency measured per response (autocannon's own histogram
 * rounds to whole milliseconds, too coarse for a 2 ms bar).
 */
import { createRequire } from 'node:module';

interface AutocannonResult {
  readonly requests: { readonly total: number };
  readonly duration: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}
interface Instance {
  on(
    event: 'response',
    fn: (client: unknown, status: number, bytes: number, ms: number) => void,
  ): void;
  on(event: 'done', fn: (result: AutocannonResult) => void): void;
}
type Autocannon = (
  opts: Record<string, unknown>,
  cb?: (err: unknown, r: AutocannonResult) => void,
) => Instance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second for the whole run; omit for "as fast as it goes". */
  readonly rate?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
}

export function runLoad(o: LoadOptions): Promise<LoadResult> {
  const samples = new Float64Array(4_000_000);
  let n = 0;
  let failures = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: o.seconds,
        ...(o.rate === undefined ? {} : { overallRate: o.rate }),
      },
      (err, result) => {
        if (err) {
          reject(err);
          return;
        }
        const sorted = samples.subarray(0, n).sort();
        resolve({
          requests: result.requests.total,
          rps: result.requests.total / o.seconds,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          failures: failures + result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (n < samples.length) samples[n++] = ms;
      if (status >= 400) failures++;
    });
  });
}
