/**
 * The worker's Prometheus metrics on a registry of its own: the queue's depth by state (asked of
 * Redis when scraped, so every worker reports the same queue), and this process's jobs by outcome,
 * their duration, stalls and outbox moves.
 */
import type { Queue } from 'bullmq';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

const DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const COUNT_TIMEOUT_MS = 1000;

export interface WorkerMetrics {
  readonly registry: Registry;
  readonly jobs: Counter<'outcome'>;
  readonly duration: Histogram<'outcome'>;
  readonly stalled: Counter;
  readonly outbox: Counter<'action'>;
}

export function createWorkerMetrics(queue: Queue): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'thumbnail_queue_jobs',
    help: 'Thumbnail jobs in the queue, by state (the whole queue, as Redis says when scraped)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), COUNT_TIMEOUT_MS);
      });
      const counts = await Promise.race([
        queue.getJobCounts(...QUEUE_STATES).catch(() => undefined),
        timeout,
      ]).finally(() => clearTimeout(timer));
      this.reset();
      if (counts === undefined) return;
      for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
  return {
    registry,
    jobs: new Counter({
      name: 'thumbnail_jobs_total',
      help: 'Thumbnail job attempts run by this worker, by outcome (ready, skipped, retried, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'thumbnail_job_duration_seconds',
      help: 'Time one thumbnail job attempt took, by outcome',
      labelNames: ['outcome'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    stalled: new Counter({
      name: 'thumbnail_jobs_stalled_total',
      help: 'Jobs found stalled (their worker stopped mid-job) and put back to run again',
      registers: [registry],
    }),
    outbox: new Counter({
      name: 'thumbnail_outbox_total',
      help: 'Jobs moved by the sweeper: from the outbox into the queue, re-queued or marked failed',
      labelNames: ['action'],
      registers: [registry],
    }),
  };
}
