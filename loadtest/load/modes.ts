/**
 * The three modes over one prepared target: a fixed rate (open loop), a capacity run (closed
 * loop), and a ramp of open-loop steps until the SLO breaks.
 */
import {
  judgeStep,
  nextRate,
  type RampOutcome,
  rampOutcome,
  refineRate,
  type StepResult,
} from '../core/ramp.ts';
import type { LoadResult } from '../run/result.ts';
import { type LoadPlan, type Progress, runLoad } from '../run/run-load.ts';
import type { LoadConfig } from './config.ts';
import type { Prepared } from './prepare.ts';

export interface ModeResult {
  readonly runs: readonly LoadResult[];
  readonly ramp: (RampOutcome & { readonly steps: readonly StepResult[] }) | null;
}

const planOf = (
  c: LoadConfig,
  mode: 'open' | 'closed',
  rate: number,
  seconds: number,
): LoadPlan => ({
  scenario: c.SCENARIO,
  mode,
  rate,
  connections: c.CONNECTIONS,
  durationMs: seconds * 1000,
  workers: c.WORKERS,
  timeoutMs: c.TIMEOUT_MS,
  seed: c.LOAD_SEED,
});

export const stepOf = (r: LoadResult): StepResult => ({
  rate: r.offeredRps ?? r.achievedRps,
  achievedRps: r.achievedRps,
  p99Ms: r.latency.p99,
  errorRate: r.errorRate,
});

export async function warmUp(c: LoadConfig, p: Prepared): Promise<void> {
  if (c.WARMUP === 0) return;
  const rate =
    c.MODE === 'ramp' ? c.RAMP_START : c.MODE === 'rate' ? c.RATE : Math.min(c.RATE, 100);
  await runLoad(p.target, p.data, planOf(c, 'open', rate, c.WARMUP));
}

export async function runMode(
  c: LoadConfig,
  p: Prepared,
  progress: (label: string) => Progress,
): Promise<ModeResult> {
  if (c.MODE === 'rate') {
    const run = await runLoad(
      p.target,
      p.data,
      planOf(c, 'open', c.RATE, c.DURATION),
      progress(`${c.RATE} req/s`),
    );
    return { runs: [run], ramp: null };
  }
  if (c.MODE === 'capacity') {
    const run = await runLoad(
      p.target,
      p.data,
      planOf(c, 'closed', 0, c.DURATION),
      progress(`${c.CONNECTIONS} loops`),
    );
    return { runs: [run], ramp: null };
  }
  const slo = { p99Ms: c.SLO_P99_MS, errorRate: c.SLO_ERROR_RATE };
  const runs: LoadResult[] = [];
  const step = async (rate: number, label: string) => {
    const run = await runLoad(
      p.target,
      p.data,
      planOf(c, 'open', rate, c.RAMP_STEP_SECONDS),
      progress(`${label}: ${rate} req/s`),
    );
    runs.push(run);
    return judgeStep(stepOf(run), slo).held;
  };
  let rate = c.RAMP_START;
  let held = 0;
  let broke = 0;
  for (let i = 0; i < c.RAMP_MAX_STEPS; i++) {
    if (!(await step(rate, `step ${i + 1}`))) {
      broke = rate;
      break;
    }
    held = rate;
    rate = nextRate(rate, c.RAMP_FACTOR);
  }
  for (let i = 0; i < c.RAMP_REFINE && broke > 0; i++) {
    const mid = refineRate(held, broke);
    if (mid === null) break;
    if (await step(mid, `refine ${i + 1}`)) held = mid;
    else broke = mid;
  }
  const steps = runs.map(stepOf);
  return { runs, ramp: { ...rampOutcome(steps, slo), steps } };
}
