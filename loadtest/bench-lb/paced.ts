/**
 * An open-loop load at a steady rate: requests are sent on an even schedule (1/rate apart, checked
 * every millisecond) over a pool of keep-alive connections, and each latency is measured from the
 * moment the request was due, so queueing is counted (no coordinated omission). autocannon's
 * `overallRate` sends each second's quota in a burst at the start of the second, which measures
 * burst queueing rather than what a proxy adds at a given load.
 *
 * The warm-up runs on the same connections as the measured windows: a fresh pool would open all
 * its connections at the start of the first window and count that burst as the proxy's latency.
 * Several targets (the backends, for the baseline without a proxy) take turns, so the backends do
 * the same work with and without a proxy in front of them.
 */
import { Pool } from 'undici';

export interface PacedResult {
  readonly sent: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
}

export interface PacedPlan {
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly windows: number;
  readonly connections: number;
}

function window(
  pools: readonly Pool[],
  path: string,
  rate: number,
  seconds: number,
): Promise<PacedResult> {
  const total = Math.round(rate * seconds);
  const samples = new Float64Array(total);
  let sent = 0;
  let done = 0;
  let failures = 0;
  const start = performance.now();
  return new Promise((resolve) => {
    const finish = () => {
      const sorted = samples.sort();
      const at = (p: number) => sorted[Math.min(total - 1, Math.floor((total * p) / 100))] ?? 0;
      resolve({ sent, p50: at(50), p99: at(99), failures });
    };
    const one = (i: number) => {
      const due = start + (i * 1000) / rate;
      (pools[i % pools.length] as Pool)
        .request({ path, method: 'GET' })
        .then(async (r) => {
          await r.body.dump();
          if (r.statusCode >= 400) failures++;
        })
        .catch(() => {
          failures++;
        })
        .finally(() => {
          samples[i] = performance.now() - due;
          if (++done === total) finish();
        });
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      while (sent < due) one(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

/** Warms up, then measures `windows` consecutive windows on the same connections. */
export async function pacedLoad(urls: readonly string[], plan: PacedPlan): Promise<PacedResult[]> {
  const targets = urls.map((u) => new URL(u));
  const path = targets[0]?.pathname ?? '/';
  const perPool = Math.max(1, Math.round(plan.connections / targets.length));
  const pools = targets.map(
    (t) => new Pool(t.origin, { connections: perPool, pipelining: 1, keepAliveTimeout: 10_000 }),
  );
  try {
    await window(pools, path, plan.rate, plan.warmupSeconds);
    const results: PacedResult[] = [];
    for (let i = 0; i < plan.windows; i++)
      results.push(await window(pools, path, plan.rate, plan.seconds));
    return results;
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
}

/** The window with the median p99 (the middle of an odd number of windows). */
export function medianWindow(results: readonly PacedResult[]): PacedResult {
  const sorted = [...results].sort((a, b) => a.p99 - b.p99);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('no paced windows were measured');
  return middle;
}
