/**
 * What a worker drill needs to know about the thumbnail queue, from the workers' own metrics
 * (`<worker url>/metrics`, as stack.json lists them): whether a job is running now (so a kill
 * lands mid-job) and how many jobs the workers have recovered from a dead worker (stalled).
 */
import type { StackFile } from '../stack.ts';
import type { Fault } from './fault.ts';
import { waitFor } from './fault.ts';

const workerUrls = (stack: StackFile): string[] =>
  stack.services.filter((s) => s.kind === 'worker' && s.url !== null).map((s) => s.url ?? '');

async function metricsOf(url: string): Promise<string> {
  const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
  return r.ok ? r.text() : '';
}

/** The value of one sample (`name{labels} value`) in a Prometheus text page, or 0. */
export function sample(text: string, series: string): number {
  for (const line of text.split('\n'))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1)) || 0;
  return 0;
}

async function samples(stack: StackFile, series: string): Promise<number[]> {
  const pages = await Promise.all(workerUrls(stack).map((u) => metricsOf(u).catch(() => '')));
  return pages.map((text) => sample(text, series));
}

/** The queue's active jobs now: every worker reports the whole queue's gauge (a dead one none). */
export const activeJobs = async (stack: StackFile): Promise<number> =>
  Math.max(0, ...(await samples(stack, 'thumbnail_queue_jobs{state="active"}')));

/**
 * Applies `inner` only once a job is running (polled up to `waitMs`), so the kill lands mid-job;
 * `activeAtFault` records how many were.
 */
export function whileAJobRuns(stack: StackFile, inner: Fault, waitMs = 20_000): Fault {
  const observed = inner.observed;
  return {
    ...inner,
    what: `${inner.what}, while a job runs`,
    observed,
    async apply() {
      let active = 0;
      await waitFor(async () => {
        active = await activeJobs(stack).catch(() => 0);
        return active > 0;
      }, waitMs);
      observed.activeAtFault = active;
      await inner.apply();
    },
  };
}

/** Waits (bounded) until some worker counts a stalled job recovered; returns the count. */
export async function stalledRecovered(stack: StackFile, waitMs = 45_000): Promise<number> {
  let stalled = 0;
  await waitFor(async () => {
    const counts = await samples(stack, 'thumbnail_jobs_stalled_total').catch(() => [0]);
    stalled = counts.reduce((a, b) => a + b, 0);
    return stalled > 0;
  }, waitMs);
  return stalled;
}
