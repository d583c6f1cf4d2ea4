/**
 * Runs one load (open or closed loop) from worker threads: splits the rate or connections between
 * them, starts them together once every worker has logged in, gathers their per-second ticks
 * (progress line, latency over time) and assembles the result with the generator's own CPU.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineResult } from '../core/engine.ts';
import { Samples, summarize } from '../core/latency.ts';
import type { ScenarioData, ScenarioName, ScenarioTotals } from '../scenarios/scenario.ts';
import type { FromWorker, Tick, WorkerJob } from './messages.ts';
import { addCounts, assemble, generatorCpu, type LoadResult, type SecondPoint } from './result.ts';

export interface LoadPlan {
  readonly scenario: ScenarioName;
  readonly mode: 'open' | 'closed';
  /** Open loop: req/s offered. */
  readonly rate: number;
  /** Open loop: the most outstanding requests; closed loop: the loops. */
  readonly connections: number;
  readonly durationMs: number;
  readonly workers: number;
  readonly timeoutMs: number;
  readonly seed: number;
}

export interface Target {
  readonly origin: string;
  readonly ca: string | undefined;
}

export type Progress = (p: {
  second: number;
  rps: number;
  p99: number;
  errors: number;
  inFlightNote: string;
}) => void;

const workerFile = (): URL => {
  const ext = extname(fileURLToPath(import.meta.url));
  return new URL(`./load-worker${ext}`, import.meta.url);
};

/**
 * From the TypeScript sources (tests), Node 20 refuses a .ts worker entry even with tsx loaded:
 * the worker then starts from a one-line script that registers tsx's loader and imports it.
 */
function startWorker(job: WorkerJob): Worker {
  const file = workerFile();
  if (!file.pathname.endsWith('.ts')) return new Worker(file, { workerData: job });
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(boot, { eval: true, workerData: job });
}

const split = (total: number, parts: number, i: number): number =>
  Math.floor(total / parts) + (i < total % parts ? 1 : 0);

export async function runLoad(
  target: Target,
  data: ScenarioData,
  plan: LoadPlan,
  progress: Progress = () => undefined,
): Promise<LoadResult> {
  const workers = Math.max(1, Math.min(plan.workers, plan.connections));
  const jobs: WorkerJob[] = Array.from({ length: workers }, (_, i) => ({
    scenario: plan.scenario,
    origin: target.origin,
    ca: target.ca,
    data,
    mode: plan.mode,
    share: plan.mode === 'open' ? plan.rate / workers : split(plan.connections, workers, i),
    connections: Math.max(1, split(plan.connections, workers, i)),
    durationMs: plan.durationMs,
    drainMs: Math.min(plan.timeoutMs, 10_000),
    timeoutMs: plan.timeoutMs,
    seed: plan.seed + i * 7919,
    worker: i,
    workers,
  }));
  const threads = jobs.map(startWorker);
  const latency = new Samples();
  const service: number[] = [];
  const statuses: Record<string, number> = {};
  const errorsByLabel: Record<string, number> = {};
  const engines: EngineResult[] = [];
  const totals: ScenarioTotals[] = [];
  const threadShares: number[] = [];
  const perSecond: SecondPoint[] = [];
  const pending = new Map<number, Tick[]>();
  let ready = 0;
  let cpuAtGo = process.cpuUsage();
  let wallAtGo = performance.now();

  const onTick = (worker: number, tick: Tick) => {
    latency.merge(tick.latency);
    for (const v of tick.service) service.push(v);
    addCounts(statuses, tick.statuses);
    addCounts(errorsByLabel, tick.errors);
    const list = pending.get(worker) ?? [];
    list.push(tick);
    pending.set(worker, list);
    // A second is complete when every worker has sent its tick for it.
    if ([...Array(workers).keys()].every((w) => (pending.get(w)?.length ?? 0) > 0)) {
      const ticks = [...Array(workers).keys()].map((w) => pending.get(w)?.shift() as Tick);
      const values = ticks.flatMap((t) => Object.values(t.latency).flat());
      const errors = ticks.reduce(
        (n, t) => n + Object.values(t.errors).reduce((a, b) => a + b, 0),
        0,
      );
      const s = summarize(values);
      const point = {
        t: perSecond.length + 1,
        rps: values.length - errors,
        errors,
        p50: s.p50,
        p99: s.p99,
      };
      perSecond.push(point);
      progress({ second: point.t, rps: point.rps, p99: point.p99, errors, inFlightNote: '' });
    }
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      threads.forEach((thread, i) => {
        thread.on('error', reject);
        thread.on('message', (m: FromWorker) => {
          if (m.type === 'failed') reject(new Error(`load worker ${i}: ${m.message}`));
          else if (m.type === 'ready') {
            ready += 1;
            if (ready === workers) {
              cpuAtGo = process.cpuUsage();
              wallAtGo = performance.now();
              for (const t of threads) t.postMessage({ type: 'go' });
            }
          } else if (m.type === 'tick') onTick(i, m);
          else if (m.type === 'done') {
            engines.push(m.engine);
            totals.push(m.totals);
            threadShares.push(m.wallMs > 0 ? m.cpuMs / m.wallMs : 0);
            done += 1;
            if (done === workers) resolve();
          }
        });
      });
    });
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
  const wallMs = performance.now() - wallAtGo;
  const cpu = process.cpuUsage(cpuAtGo);
  return assemble({
    scenario: plan.scenario,
    mode: plan.mode,
    offeredRps: plan.mode === 'open' ? plan.rate : null,
    connections: plan.connections,
    workers,
    wallMs,
    latency,
    service,
    statuses,
    errorsByLabel,
    perSecond,
    engines,
    totals,
    generator: generatorCpu((cpu.user + cpu.system) / 1000, threadShares, wallMs),
  });
}
