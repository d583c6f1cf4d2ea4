/**
 * `make bench-autoscale`: the daily peak against three fleets (a script, not a test). One native
 * stack of stage 5's shape (the web pool scaled, a small data tier: primary only, no memcached or
 * CDN) with BOX_CPUS=0.25 so the web tier is the bottleneck on 2 cores; read-heavy over seeded
 * data (loadtest/scenarios), offered open loop in a compressed day (profile.ts):
 *   1. AUTOSCALE=off, minimum fleet (1 web server; the autoscaler stopped, the pool set by hand)
 *   2. AUTOSCALE=off, peak-sized fleet (AUTOSCALE_MAX = 4 web servers): the anchor
 *   3. AUTOSCALE=on from 1 server (the autoscaler started fresh, product policy; the scale-in
 *      stabilisation window and cooldown are compressed with the day: 30 s and 20 s)
 * Per run: p99 at peak (from due time) and its ratio to the anchor, errors, web box-seconds and
 * their ratio to the anchor, failed requests while servers left; scale-out reaction. The peak rate
 * is 2.5× what one web server served in a closed-loop calibration unless PEAK_RPS is set. States
 * the generator's CPU and the machine's load average. Writes report.md, chart.svg and
 * result.json (and report.html with Chart.js, as `make bench` draws) under
 * RESULTS_DIR/bench-autoscale-<time>/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startStack } from '../../runner/stack/api.ts';
import { chartJsSource } from '../bench/chart-library.ts';
import { closedLoop } from '../core/engine.ts';
import { makeAgent } from '../core/http.ts';
import { prepare } from '../load/prepare.ts';
import { readHeavy } from '../scenarios/read-heavy.ts';
import { chartSvg } from './chart.ts';
import { offerDay } from './day.ts';
import { errorsDuringScaleIn, firstGrowthAfter, runFigures } from './figures.ts';
import { autoscaledFleet, fixedFleet, watchFleet } from './fleet.ts';
import { reportHtml } from './html.ts';
import { type DayShape, daySegments, PHASES, phaseStartS } from './profile.ts';
import { type RunRow, reportMarkdown } from './report.ts';

const env = process.env;
const num = (name: string, fallback: number) => Number(env[name] ?? fallback);
const say = (text: string) => process.stdout.write(`${text}\n`);
const MAX = 4;

const FLAGS = {
  STAGE: '5',
  WEB_REPLICAS: '1',
  READ_API_REPLICAS: '0',
  WRITE_API_REPLICAS: '0',
  DB_REPLICAS: '0',
  READ_FROM: 'primary',
  CACHE: 'off',
  CDN: 'off',
  BOX_CPUS: env.BOX_CPUS ?? '0.25',
  AUTOSCALE_MIN: '1',
  AUTOSCALE_MAX: String(MAX),
  // The day is compressed into minutes: so is the scale-in wait (defaults 120 s and 60 s).
  AUTOSCALE_STABILISATION_S: env.AUTOSCALE_STABILISATION_S ?? '30',
  AUTOSCALE_SCALE_IN_COOLDOWN_S: env.AUTOSCALE_SCALE_IN_COOLDOWN_S ?? '20',
  // The tracked metric and its target: the product's unless set (e.g. AUTOSCALE_METRIC=cpu
  // AUTOSCALE_TARGET=0.6 tracks 60 % of each box's quota, AWS and HPA's usual headroom).
  ...(env.AUTOSCALE_METRIC ? { AUTOSCALE_METRIC: env.AUTOSCALE_METRIC } : {}),
  ...(env.AUTOSCALE_TARGET ? { AUTOSCALE_TARGET: env.AUTOSCALE_TARGET } : {}),
  // The login rate limit is for people; the scenario logs its users in at once.
  RATE_LIMIT_LOGIN_PER_MINUTE: '0',
};

const POLICY =
  env.AUTOSCALE_METRIC || env.AUTOSCALE_TARGET
    ? `${env.AUTOSCALE_METRIC ?? 'inflight'} target ${env.AUTOSCALE_TARGET ?? 'as the product'}`
    : 'product policy';

async function main(): Promise<void> {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-bench-autoscale-'));
  const base = env.STACK_PORT_BASE;
  say(
    `starting stage 5 (BOX_CPUS=${FLAGS.BOX_CPUS}) in ${stackDir}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const stack = await startStack({
    env: { PATH: env.PATH ?? '/usr/bin:/bin', ...(env.HOME ? { HOME: env.HOME } : {}), ...FLAGS },
    stackDir,
    portBase: base ? Number(base) : 'auto',
  });
  try {
    env.SEED_USERS ??= '2000';
    env.SEED_POSTS ??= '20000';
    const prepared = await prepare(stack.stackFile, 'read-heavy', {
      reset: false,
      password: env.SEED_PASSWORD ?? 'seed-password',
    });
    const agent = makeAgent(256, prepared.target.ca, 10_000);
    const scenario = readHeavy({
      agent,
      origin: prepared.target.origin,
      data: prepared.data,
      random: Math.random,
      worker: 0,
      workers: 1,
      share: 1,
    });
    await scenario.prepare();
    const lb = stack.info.services.find((s) => s.kind === 'lb');
    const autoscaler = stack.info.services.find((s) => s.kind === 'autoscaler');
    const statsUrl = `http://${lb?.host}:${lb?.ports.admin}/stats.json`;

    await fixedFleet(stack, 1);
    let served = 0;
    await closedLoop(
      { connections: 16, durationMs: 10_000, drainMs: 10_000 },
      (i) => scenario.send(i),
      (c) => {
        if (c.ok) served++;
      },
    );
    const oneServer = served / 10;
    const peakRps = env.PEAK_RPS ? Number(env.PEAK_RPS) : Math.round(oneServer * 2.5);
    const shape: DayShape = {
      idleRps: num('IDLE_RPS', Math.max(5, Math.round(peakRps / 12))),
      peakRps,
      seconds: {
        idle: num('IDLE_S', 20),
        ramp: num('RAMP_S', 30),
        peak: num('PEAK_S', 50),
        'ramp-down': num('RAMP_S', 30),
        'idle-after': num('IDLE_AFTER_S', 50),
      },
      segmentS: 2,
    };
    say(
      `one web server served ${oneServer.toFixed(0)} req/s (closed loop, 16 connections): peak ${peakRps} req/s, idle ${shape.idleRps} req/s`,
    );

    const runs = [
      { name: 'AUTOSCALE=off, min fleet (1)', set: () => fixedFleet(stack, 1), scaled: false },
      {
        name: `AUTOSCALE=off, peak-sized fleet (${MAX})`,
        set: () => fixedFleet(stack, MAX),
        scaled: false,
      },
      {
        name: `AUTOSCALE=on (1–${MAX}, ${POLICY})`,
        set: () => autoscaledFleet(stack, 1),
        scaled: true,
      },
    ];
    const rows: RunRow[] = [];
    for (const run of runs) {
      await run.set();
      await new Promise((r) => setTimeout(r, 3000));
      const loadBefore = loadavg()[0] ?? 0;
      say(`run: ${run.name} (load average ${loadBefore.toFixed(2)})`);
      const t0 = performance.now() + 500;
      const watch = watchFleet(stack, statsUrl, run.scaled ? (autoscaler?.url ?? null) : null, t0);
      const day = await offerDay(scenario, daySegments(shape), t0, 512);
      await watch.stop();
      const figures = runFigures(day.records, watch.samples);
      const rampS = phaseStartS(shape, 'ramp');
      const inRotationS = firstGrowthAfter(watch.samples, rampS, 1);
      const row: RunRow = {
        name: run.name,
        figures,
        lost: day.lost,
        scaleIn: errorsDuringScaleIn(day.records, watch.samples),
        reaction: run.scaled
          ? {
              rampToRotationS: inRotationS,
              decisionToRotationS:
                inRotationS !== null && watch.firstScaleOutS !== null
                  ? rampS + inRotationS - watch.firstScaleOutS
                  : null,
            }
          : null,
        generatorCpuShare: day.generatorCpuShare,
        loadAverage: [loadBefore, loadavg()[0] ?? 0],
      };
      rows.push(row);
      say(
        `  p99 at peak ${figures.peakP99Ms.toFixed(0)} ms, errors ${figures.errors}, web box-seconds ${figures.boxSeconds.toFixed(0)}, generator CPU ${(day.generatorCpuShare * 100).toFixed(0)} %`,
      );
    }
    await agent.close();
    const phases = PHASES.map((p) => ({ atS: phaseStartS(shape, p), name: p }));
    const dir = join(
      env.RESULTS_DIR ?? 'loadtest/results',
      `bench-autoscale-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    );
    mkdirSync(dir, { recursive: true });
    const md = reportMarkdown(rows, {
      shape,
      oneServerRps: oneServer,
      boxCpus: FLAGS.BOX_CPUS,
      anchor: 1,
    });
    writeFileSync(join(dir, 'report.md'), md);
    const charts = rows.map((r) => ({ title: r.name, series: r.figures.series, phases }));
    writeFileSync(join(dir, 'chart.svg'), chartSvg(charts));
    try {
      writeFileSync(join(dir, 'report.html'), reportHtml(md, charts, chartJsSource()));
    } catch (error) {
      const why = (error as Error).message.split('\n')[0];
      say(`report.html not written (Chart.js: ${why}); chart.svg draws the same`);
    }
    writeFileSync(
      join(dir, 'result.json'),
      `${JSON.stringify({ shape, oneServerRps: oneServer, rows }, null, 1)}\n`,
    );
    say(md);
    say(`written: ${dir}/report.md, chart.svg, report.html, result.json`);
  } finally {
    await stack.stop();
    // BENCH_KEEP_STACK=1 keeps every process's log for a look.
    if (env.BENCH_KEEP_STACK === '1') say(`kept ${stackDir}`);
    else rmSync(stackDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench-autoscale: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
