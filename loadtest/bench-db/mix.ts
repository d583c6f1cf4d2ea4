/**
 * A closed-loop HTTP load of a read/write mix against one web server: `connections` loops, each
 * sending its next request as soon as the last one answered, for `seconds`. Reads are
 * GET /api/posts/:id with ids drawn by `pick`; a `writeShare` of requests are POST /api/posts with a
 * logged-in session. Latency is measured per request; the generator's own CPU time is reported so
 * a row limited by the generator can be marked.
 */
import { Pool } from 'undici';

export interface MixOptions {
  readonly origin: string;
  readonly connections: number;
  readonly seconds: number;
  /** 0..1: the share of requests that are writes. */
  readonly writeShare: number;
  /** The next post id to read. */
  readonly pick: () => number;
  /** Cookie header of a logged-in session (needed when writeShare > 0). */
  readonly cookie?: string;
}

export interface MixResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
  readonly writes: number;
  /** Generator CPU seconds per wall second (1.0 = one core busy). */
  readonly generatorCpu: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

export async function runMix(o: MixOptions): Promise<MixResult> {
  const pool = new Pool(o.origin, { connections: o.connections, headersTimeout: 10_000 });
  const samples: number[] = [];
  let failures = 0;
  let writes = 0;
  let n = 0;
  const end = performance.now() + o.seconds * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const one = async (): Promise<void> => {
    const write = o.writeShare > 0 && Math.random() < o.writeShare;
    const start = performance.now();
    try {
      const res = write
        ? await pool.request({
            method: 'POST',
            path: '/api/posts',
            headers: { 'content-type': 'application/json', cookie: o.cookie ?? '' },
            body: JSON.stringify({ body: `bench write ${n}` }),
          })
        : await pool.request({ method: 'GET', path: `/api/posts/${o.pick()}` });
      await res.body.dump();
      if (res.statusCode >= 400) failures++;
    } catch {
      failures++;
    }
    samples.push(performance.now() - start);
    if (write) writes++;
    n++;
  };
  const loop = async () => {
    while (performance.now() < end) await one();
  };
  await Promise.all(Array.from({ length: o.connections }, loop));
  const wall = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  await pool.close();
  const sorted = Float64Array.from(samples).sort();
  return {
    requests: n,
    rps: n / wall,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    failures,
    writes,
    generatorCpu: (used.user + used.system) / 1e6 / wall,
  };
}

/** Ids 1..n with Zipf-like popularity (rank r drawn with weight 1/r^s), as a sampler. */
export function zipf(n: number, s: number, random: () => number = Math.random): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s;
    cdf[i] = sum;
  }
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

export const uniform =
  (n: number, random: () => number = Math.random): (() => number) =>
  () =>
    1 + Math.floor(random() * n);
