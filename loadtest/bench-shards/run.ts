/**
 * One run of `make bench-shards`: a fresh stack with `shards` shard servers (1: the unsharded
 * stack), writers on every server, a write ramp to the SLO while every component is sampled, and
 * (for the feed comparison) the feed read at a fixed rate; the stack stopped and removed after.
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { startStack } from '../../runner/stack/api.ts';
import { readStackFile } from '../../runner/stack/read-stack.ts';
import { TIMELINE_KEY } from '../../services/web/timeline/format.ts';
import { cpuByComponent } from '../bench/row.ts';
import { exchange, makeAgent } from '../core/http.ts';
import { parseLoadConfig } from '../load/config.ts';
import type { Measurement } from '../load/measure.ts';
import { runMode, stepOf, warmUp } from '../load/modes.ts';
import type { Prepared } from '../load/prepare.ts';
import { targetOf } from '../load/prepare.ts';
import { progressLine } from '../load/progress.ts';
import { sampleWhile } from '../sample/sampler.ts';
import { runFlags, type ShardBenchConfig } from './config.ts';
import { directWrites } from './direct.ts';
import type { DirectRow, FeedFigures, ShardRow } from './report.ts';
import { signUpWriters } from './writers.ts';

export interface ShardRun {
  readonly shards: number;
  readonly feed: 'scatter' | 'timeline';
  readonly measureWrites: boolean;
  readonly measureFeed: boolean;
}

export const runId = (r: ShardRun): string =>
  r.shards === 1 ? 'unsharded' : `${r.shards} shards${r.feed === 'timeline' ? ' +timeline' : ''}`;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function loadEnv(c: ShardBenchConfig, stackFile: string) {
  return {
    WORKERS: String(c.WORKERS),
    CONNECTIONS: String(c.CONNECTIONS),
    WARMUP: String(c.WARMUP),
    SLO_P99_MS: String(c.SLO_P99_MS),
    SLO_ERROR_RATE: String(c.SLO_ERROR_RATE),
    STACK_FILE: stackFile,
    RESET: 'off',
  };
}

async function timelineBytes(stackFile: string): Promise<number | null> {
  const redis = readStackFile(stackFile).services.find((s) => s.kind === 'redis');
  if (redis === undefined) return null;
  const client = new Redis({
    host: redis.host,
    port: redis.ports.redis ?? 0,
    lazyConnect: true,
    commandTimeout: 5000,
    maxRetriesPerRequest: 1,
  });
  try {
    await client.connect();
    return Number((await client.memory('USAGE', TIMELINE_KEY)) ?? 0);
  } finally {
    client.disconnect();
  }
}

export async function runShards(
  c: ShardBenchConfig,
  run: ShardRun,
  stackDir: string,
  say: (t: string) => void,
): Promise<ShardRow> {
  const id = runId(run);
  const base = { id, shards: run.shards, feed: run.feed };
  try {
    const stack = await startStack({
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...runFlags(c, run.shards, run.feed) },
      stackDir,
      portBase: c.BENCH_PORT_BASE === 'auto' ? 'auto' : Number(c.BENCH_PORT_BASE),
      logs: 'quiet',
    });
    try {
      const target = targetOf(stack.info);
      const { users, placed, sessions } = await signUpWriters(
        target,
        run.shards,
        c.BENCH_WRITERS,
        `s${run.shards}`,
      );
      say(`bench-shards: ${id}: ${users.length} writers on ${run.shards} server(s), logged in`);
      const prepared: Prepared = {
        target,
        notes: [],
        data: {
          posts: { min: 1, max: 1 },
          authors: { min: 1, count: 1 },
          users,
          sessions,
          objects: [],
          cdn: null,
        },
      };
      let writes: Omit<ShardRow, 'id' | 'shards' | 'feed' | 'feedLatency' | 'timelineBytes'> = {
        capacityRps: null,
        p99Ms: null,
        brokeAt: null,
        bottleneck: null,
        generator: null,
        machineBusy: null,
        machineSaturated: false,
        loadAverage: loadavg(),
        cpu: {},
      };
      if (run.measureWrites) {
        const load = parseLoadConfig({
          ...loadEnv(c, stack.stackFile),
          SCENARIO: 'writes',
          MODE: 'ramp',
          RAMP_START: String(c.RAMP_START),
          RAMP_FACTOR: String(c.RAMP_FACTOR),
          RAMP_STEP_SECONDS: String(c.STEP_SECONDS),
          RAMP_MAX_STEPS: String(c.RAMP_MAX_STEPS),
          RAMP_REFINE: String(c.RAMP_REFINE),
        });
        const attempt = async () => {
          await warmUp(load, prepared);
          return sampleWhile(readStackFile(stack.stackFile), () =>
            runMode(load, prepared, progressLine(id)),
          );
        };
        // One more try on the same stack: on a crowded machine a writer's login can time out
        // before any load is offered (as make bench does).
        const { value, sampling } = await attempt().catch((error: unknown) => {
          say(`bench-shards: ${id}: ${message(error)}; trying once more`);
          return attempt();
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        const m: Measurement = {
          config: load,
          target: target.origin,
          notes: [],
          ...value,
          verdict: sampling.verdict(value.runs.every((r) => r.generator.trusted)),
          machineBusy: sampling.machineBusy,
          busyScope: sampling.busyScope,
          samples: sampling.readings,
        };
        const capacity = m.ramp?.capacityRps ?? 0;
        const at = m.runs.find((r) => capacity > 0 && stepOf(r).achievedRps === capacity);
        const b = m.verdict.bottleneck;
        writes = {
          capacityRps: capacity,
          p99Ms: at?.latency.p99 ?? null,
          brokeAt: m.ramp?.brokeAt ? { rate: m.ramp.brokeAt.rate, reason: m.ramp.reason } : null,
          bottleneck: b ? { component: b.component, evidence: b.evidence.join('; ') } : null,
          generator: {
            cores: Math.max(0, ...m.runs.map((r) => r.generator.cores)),
            busiestThread: Math.max(0, ...m.runs.map((r) => r.generator.busiestThread)),
            limited: m.runs.some((r) => !r.generator.trusted),
          },
          machineBusy: m.machineBusy,
          machineSaturated: m.verdict.machineSaturated,
          loadAverage: loadavg(),
          cpu: cpuByComponent(m),
        };
      }
      let direct: DirectRow | null = null;
      if (run.measureWrites && c.DIRECT_SECONDS > 0) {
        const { value, sampling } = await sampleWhile(readStackFile(stack.stackFile), () =>
          directWrites(
            readStackFile(stack.stackFile),
            placed,
            c.DIRECT_CONNECTIONS,
            c.DIRECT_SECONDS,
          ),
        );
        const cpu = cpuByComponent({ samples: sampling.readings } as unknown as Measurement);
        direct = {
          writesPerSecond: value.writesPerSecond,
          p50Ms: value.p50Ms,
          p99Ms: value.p99Ms,
          errors: value.errors,
          connections: value.connections,
          dbCpu: Object.fromEntries(
            Object.entries(cpu)
              .filter(([name]) => name.startsWith('mysql'))
              .map(([name, v]) => [name, v.mean]),
          ),
          machineBusy: sampling.machineBusy,
          loadAverage: loadavg(),
        };
        say(`bench-shards: ${id}: write tier alone ${value.writesPerSecond.toFixed(0)} writes/s`);
      }
      let feedLatency: FeedFigures | null = null;
      if (run.measureFeed) {
        const load = parseLoadConfig({
          ...loadEnv(c, stack.stackFile),
          SCENARIO: 'feed-reads',
          MODE: 'rate',
          RATE: String(c.FEED_RATE),
          DURATION: String(c.FEED_SECONDS),
        });
        await warmUp(load, prepared);
        const { runs } = await runMode(load, prepared, progressLine(`${id} feed`));
        if (process.stderr.isTTY) process.stderr.write('\n');
        const r = runs[0];
        const agent = makeAgent(1, target.ca, 10_000);
        const probe = await exchange(agent, target.origin, {
          label: 'feed',
          method: 'GET',
          path: '/api/feed',
        }).finally(() => agent.close());
        feedLatency = r
          ? {
              rate: c.FEED_RATE,
              achievedRps: r.achievedRps,
              p50Ms: r.latency.p50,
              p99Ms: r.latency.p99,
              errorRate: r.errorRate,
              generatorCores: r.generator.cores,
              servedBy: String(probe.headers['x-db'] ?? ''),
              loadAverage: loadavg(),
            }
          : null;
      }
      const bytes = run.feed === 'timeline' ? await timelineBytes(stack.stackFile) : null;
      return { ...base, ...writes, feedLatency, timelineBytes: bytes, direct };
    } finally {
      await stack.stop();
    }
  } catch (error) {
    say(`bench-shards: ${id} failed: ${message(error)}`);
    return {
      ...base,
      capacityRps: null,
      p99Ms: null,
      brokeAt: null,
      bottleneck: null,
      generator: null,
      machineBusy: null,
      machineSaturated: false,
      loadAverage: loadavg(),
      cpu: {},
      feedLatency: null,
      timelineBytes: null,
      error: message(error),
    };
  } finally {
    rmSync(stackDir, { recursive: true, force: true });
  }
}
