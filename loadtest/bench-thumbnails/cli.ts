/**
 * `make bench-thumbnails`: what moving thumbnails to a queue buys (a script, not a test). Two native
 * stacks of stage 6's shape (one web server behind the LB, no replicas or cache):
 *   1. THUMBNAILS=inline: uploads at a fixed rate; upload latency p50/p99 (the anchor).
 *   2. THUMBNAILS=queue (two workers, one of them stopped for this phase, so that on a two-core
 *      machine the web box and the worker box each have a core): the same uploads; latency p50/p99
 *      and its ratio to inline (goal: queued p99 ≤ 1/5 of inline), and the time until each
 *      thumbnail is ready.
 *   3. Worker throughput: a backlog with the queue paused, then drained by one worker (the other
 *      stopped), and another by both.
 * Every row states the load generator's CPU; machine load is printed, since the CPU is shared.
 * Options: --rate N uploads/s (5) --count N uploads per latency phase (100) --backlog N (120)
 *          --latency-workers 1|2 (1: workers running during phase 2)
 *          --width/--height of the uploaded photo (1600×1200)
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { type LatencyRow, latencyPhase, throughputPhase } from './phases.ts';
import { startBenchStack } from './stack.ts';
import type { UploadRun } from './uploads.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '5' },
    count: { type: 'string', default: '100' },
    backlog: { type: 'string', default: '120' },
    'latency-workers': { type: 'string', default: '1' },
    width: { type: 'string', default: '1600' },
    height: { type: 'string', default: '1200' },
  },
});
const rate = Number(values.rate);
const count = Number(values.count);
const backlog = Number(values.backlog);
const load = { rate, count, backlog };
const latencyWorkers = values['latency-workers'] === '2' ? 2 : 1;
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
    rows.push(await latencyPhase('THUMBNAILS=inline', inline, bytes, load));
  } finally {
    await inline.stop();
  }
  const queued = await startBenchStack({ THUMBNAILS: 'queue', WORKER_REPLICAS: '2' });
  let one = 0;
  let two = 0;
  try {
    // Stage 6 puts workers on boxes of their own. Here the web box and one worker box get one of
    // the two cores each; a second running worker would take the web server's core.
    const spare = queued.stack.info.services.find((s) => s.name === 'worker-2')?.pid ?? 0;
    if (latencyWorkers === 1) process.kill(spare, 'SIGSTOP');
    try {
      const name = `THUMBNAILS=queue, ${latencyWorkers} worker(s) running`;
      rows.push(await latencyPhase(name, queued, bytes, load));
    } finally {
      if (latencyWorkers === 1) process.kill(spare, 'SIGCONT');
    }
    one = await throughputPhase(queued, bytes, 1, load);
    two = await throughputPhase(queued, bytes, 2, load);
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
