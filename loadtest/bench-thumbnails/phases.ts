/**
 * The benchmark's phases against one bench stack: uploads at a fixed rate with their latency and
 * time to ready, and a paused backlog drained by one or two workers.
 */
import { Queue } from 'bullmq';
import { waitUntil } from '../../services/shared/wait-until.ts';
import type { BenchStack } from './stack.ts';
import { percentile, type UploadRun, uploadAtRate } from './uploads.ts';

export interface Load {
  readonly rate: number;
  readonly count: number;
  readonly backlog: number;
}

export interface LatencyRow {
  readonly name: string;
  readonly run: UploadRun;
  readonly p50: number;
  readonly p99: number;
  readonly ok: number;
  readonly webCpu: number;
  readonly ready?: { p50: number; p99: number; count: number };
}

export async function latencyPhase(
  name: string,
  b: BenchStack,
  bytes: Buffer,
  load: Load,
): Promise<LatencyRow> {
  const sessions = await b.login(4);
  const web0 = b.cpuSeconds('web');
  const run = await uploadAtRate(b.entry, sessions, bytes, load.rate, load.count);
  const webCpu = (b.cpuSeconds('web') - web0) / run.seconds;
  const ok = run.sent.filter((s) => s.status === 201 || s.status === 202);
  const latencies = ok.map((s) => s.latencyMs);
  const row = {
    name,
    run,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok: ok.length,
    webCpu,
  };
  const ids = ok.flatMap((s) => (s.id === undefined ? [] : [s.id]));
  await waitUntil(
    async () => {
      if ((await b.countReady(ids)) < ids.length) throw new Error('not all ready');
    },
    { what: 'all thumbnails ready', timeoutMs: 300_000, intervalMs: 250 },
  );
  const readyAt = await b.readyTimes(ids);
  const toReady = ok.flatMap((s) =>
    s.id === undefined || !readyAt.has(s.id) ? [] : [(readyAt.get(s.id) ?? 0) - s.scheduledAt],
  );
  return {
    ...row,
    ready: { p50: percentile(toReady, 50), p99: percentile(toReady, 99), count: toReady.length },
  };
}

export async function throughputPhase(
  b: BenchStack,
  bytes: Buffer,
  workers: 1 | 2,
  load: Load,
): Promise<number> {
  const url = new URL(b.stack.info.services.find((s) => s.kind === 'web')?.url ?? '');
  const redis = b.stack.info.services.find((s) => s.kind === 'redis');
  const queue = new Queue('thumbnails', {
    connection: { host: redis?.host, port: redis?.ports.redis },
  });
  const second = b.stack.info.services.find((s) => s.name === 'worker-2')?.pid ?? 0;
  try {
    await queue.pause();
    if (workers === 1) process.kill(second, 'SIGSTOP');
    const run = await uploadAtRate(b.entry, await b.login(4), bytes, 50, load.backlog);
    const ids = run.sent.flatMap((s) => (s.id === undefined ? [] : [s.id]));
    const t0 = performance.now();
    await queue.resume();
    await waitUntil(
      async () => {
        if ((await b.countReady(ids)) < ids.length) throw new Error('draining');
      },
      {
        what: `backlog with ${workers} worker(s) (${url.host})`,
        timeoutMs: 600_000,
        intervalMs: 50,
      },
    );
    return ids.length / ((performance.now() - t0) / 1000);
  } finally {
    if (workers === 1) process.kill(second, 'SIGCONT');
    await queue.close();
  }
}
