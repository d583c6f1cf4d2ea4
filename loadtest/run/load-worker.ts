/**
 * A load worker thread: prepares its scenario (logins), waits for `go`, offers its share of the
 * load, and hands its samples to the main thread once a second, then its totals.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prng } from '../../scripts/seed/data.ts';
import { type Completed, closedLoop, openLoop } from '../core/engine.ts';
import { makeAgent } from '../core/http.ts';
import { Samples } from '../core/latency.ts';
import { latencyMs, serviceMs } from '../core/pacing.ts';
import { threadCpuMs } from '../core/thread-cpu.ts';
import { SCENARIO_FACTORIES } from '../scenarios/index.ts';
import type { FromWorker, ToWorker, WorkerJob } from './messages.ts';

const job = workerData as WorkerJob;
function requirePort(): NonNullable<typeof parentPort> {
  if (parentPort === null) throw new Error('load-worker runs as a worker thread');
  return parentPort;
}
const port = requirePort();
const say = (m: FromWorker) => port.postMessage(m);

async function main(): Promise<void> {
  const agent = makeAgent(job.connections, job.ca, job.timeoutMs);
  const random = prng(job.seed);
  const scenario = SCENARIO_FACTORIES[job.scenario]({
    agent,
    origin: job.origin,
    data: job.data,
    random,
    worker: job.worker,
    workers: job.workers,
    share: job.share,
  });
  await scenario.prepare();
  const go = new Promise<void>((resolve) =>
    port.on('message', (m: ToWorker) => m.type === 'go' && resolve()),
  );
  say({ type: 'ready' });
  await go;

  const latency = new Samples();
  let service: number[] = [];
  let statuses: Record<string, number> = {};
  let errors: Record<string, number> = {};
  const cpuStart = threadCpuMs() ?? 0;
  let cpuMark = cpuStart;
  const flush = () => {
    const cpu = threadCpuMs() ?? cpuMark;
    say({
      type: 'tick',
      latency: latency.drain(),
      service,
      statuses,
      errors,
      cpuMs: cpu - cpuMark,
    });
    cpuMark = cpu;
    service = [];
    statuses = {};
    errors = {};
  };
  const onDone = (c: Completed) => {
    latency.add(c.label, latencyMs(c));
    service.push(serviceMs(c));
    const key = String(c.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (!c.ok) errors[c.label] = (errors[c.label] ?? 0) + 1;
  };
  const timer = setInterval(flush, 1000);
  const started = performance.now();
  const send = (i: number) => scenario.send(i);
  const engine =
    job.mode === 'open'
      ? await openLoop(
          {
            rate: job.share,
            durationMs: job.durationMs,
            maxInFlight: job.connections,
            drainMs: job.drainMs,
          },
          send,
          onDone,
        )
      : await closedLoop(
          { connections: job.share, durationMs: job.durationMs, drainMs: job.drainMs },
          send,
          onDone,
        );
  const wallMs = performance.now() - started;
  clearInterval(timer);
  flush();
  const cpuMs = (threadCpuMs() ?? cpuStart) - cpuStart;
  const totals = await scenario.finish();
  say({ type: 'done', engine, totals, cpuMs, wallMs });
  await agent.close();
}

main().catch((error: unknown) => {
  say({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
});
