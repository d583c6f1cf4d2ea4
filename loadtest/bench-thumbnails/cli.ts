/**
 * `make bench-thumbnails`: what moving thumbnails to a queue buys (a script, not a test). Two native
 * stacks of stage 6's shape (one web server behind the LB, no replicas or cache):
 *   1. THUMBNAILS=inline: uploads at a fixed rate; upload latency p50/p99 (the anchor).
 *   2. THUMBNAILS=queue with two workers: the same uploads; latency p50/p99 and its ratio to inline
 *      (goal: queued p99 ≤ 1/5 of inline), and the time until each thumbnail is ready.
 *   3. Worker throughput: a backlog with the queue paused, then drained by one worker (the other
 *      stopped), and another by both.
 * Every row states the load generator's CPU; machine load is printed, since the CPU is shared.
 * Options: --rate N uploads/s (5) --count N uploads per latency phase (100) --backlog N (120)
 *          --width/--height of the uploaded photo (1600×1200)
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { waitUntil } from '../../services/shared/wait-until.ts';
import { type BenchStack, startBenchStack } from './stack.ts';
import { percentile, type UploadRun, uploadAtRate } from './uploads.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '5' },
    count: { type: 'string', default: '100' },
    backlog: { type: 'string', default: '120' },
    width: { type: 'string', default: '1600' },
    height: { type: 'string', default: '1200' },
  },
});
const rate = Number(values.rate);
const count = Number(values.count);
const backlog = Number(values.backlog);
const say = (text: string) => process.stdout.write(`${text}\n`);
const ms = (n: number) => n.toFixed(0);
const GENERATOR_LIMIT = 0.8;

/** A photo-like JPEG: smooth colour fields from upscaled noise, not incompressible noise. */
async function photo(): Promise<Buffer> {
  const [w, h] = [Number(values.width), Number(values.height)];
  const seed = randomBytes(40 * 30 * 3);
  return sharp(seed, { raw: { width: 40, height: 30, channels: 3 } })
    .resize(w, h, { kernel: 'cubic' })
    .jpeg({ quality: 85 })
    .toBuffer();
}

interface LatencyRow {
  readonly name: string;
  readonly run: UploadRun;
  readonly p50: number;
  readonly p99: number;
  readonly ok: number;
  readonly webCpu: number;
  readonly ready?: { p50: number; p99: number; count: number };
}

async function latencyPhase(name: string, b: BenchStack, bytes: Buffer): Promise<LatencyRow> {
  const sessions = await b.login(4);
  const web0 = b.cpuSeconds('web');
  const run = await uploadAtRate(b.entry, sessions, bytes, rate, count);
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

async function throughputPhase(b: BenchStack, bytes: Buffer, workers: 1 | 2): Promise<number> {
  const url = new URL(b.stack.info.services.find((s) => s.kind === 'web')?.url ?? '');
  const redis = b.stack.info.services.find((s) => s.kind === 'redis');
  const queue = new Queue('thumbnails', {
    connection: { host: redis?.host, port: redis?.ports.redis },
  });
  const second = b.stack.info.services.find((s) => s.name === 'worker-2')?.pid ?? 0;
  try {
    await queue.pause();
    if (workers === 1) process.kill(second, 'SIGSTOP');
    const run = await uploadAtRate(b.entry, await b.login(4), bytes, 50, backlog);
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

/** Non-2xx answers by status (0: no answer), e.g. `503×7`. */
function others(run: UploadRun): string {
  const counts = new Map<number, number>();
  for (const s of run.sent)
    if (s.status !== 201 && s.status !== 202) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${status}×${n}`).join(' ');
}

async function main(): Promise<void> {
  const bytes = await photo();
  say(
    `photo ${values.width}×${values.height} JPEG, ${(bytes.length / 1024).toFixed(0)} KiB; ${rate} uploads/s, ${count} per phase`,
  );
  say(
    `machine load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (2 cores, shared)`,
  );
  const inline = await startBenchStack({ THUMBNAILS: 'inline' });
  const rows: LatencyRow[] = [];
  try {
    rows.push(await latencyPhase('THUMBNAILS=inline', inline, bytes));
  } finally {
    await inline.stop();
  }
  const queued = await startBenchStack({ THUMBNAILS: 'queue', WORKER_REPLICAS: '2' });
  let one = 0;
  let two = 0;
  try {
    rows.push(await latencyPhase('THUMBNAILS=queue, 2 workers', queued, bytes));
    one = await throughputPhase(queued, bytes, 1);
    two = await throughputPhase(queued, bytes, 2);
  } finally {
    await queued.stop();
  }
  say('');
  say(
    '| phase | sent | 2xx | other answers | upload p50 ms | upload p99 ms | ready p50 ms | ready p99 ms | web CPU | generator CPU |',
  );
  say('|---|---:|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const limited = r.run.generatorCpu > GENERATOR_LIMIT ? ' (generator-limited)' : '';
    say(
      `| ${r.name} | ${r.run.sent.length} | ${r.ok} | ${others(r.run) || '—'} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.ready?.p50 ?? Number.NaN)} | ${ms(r.ready?.p99 ?? Number.NaN)} | ${(r.webCpu * 100).toFixed(0)} % | ${(r.run.generatorCpu * 100).toFixed(0)} %${limited} |`,
    );
  }
  const [a, q] = rows;
  const ratio = (q?.p99 ?? 0) / (a?.p99 || 1);
  say('');
  say(
    `queued p99 / inline p99 = ${ratio.toFixed(3)} (goal ≤ 0.2: ${ratio <= 0.2 ? 'PASS' : 'FAIL'}); p50 ratio ${((q?.p50 ?? 0) / (a?.p50 || 1)).toFixed(3)}`,
  );
  say(
    `worker throughput, backlog of ${backlog}: 1 worker ${one.toFixed(1)} jobs/s, 2 workers ${two.toFixed(1)} jobs/s (× ${(two / (one || 1)).toFixed(2)})`,
  );
  say(
    `machine load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
