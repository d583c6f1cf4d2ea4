/**
 * One run of the matrix: a fresh stack with the run's flags (so every run starts from the same
 * seeded data and nothing is left from the one before), a capacity ramp through `measure`, the
 * stack stopped and its directory removed. A run that fails is kept as a failed row.
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startStack } from '../../runner/stack/api.ts';
import { parseLoadConfig } from '../load/config.ts';
import { type Measurement, measure } from '../load/measure.ts';
import { progressLine } from '../load/progress.ts';
import type { BenchConfig } from './config.ts';
import type { PlannedRun } from './matrix.ts';
import { type BenchRow, failedRow, rowOf } from './row.ts';

export interface RunOutcome {
  readonly row: BenchRow;
  readonly measurement: Measurement | null;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function runOne(
  c: BenchConfig,
  run: PlannedRun,
  stackDir: string,
  say: (text: string) => void,
): Promise<RunOutcome> {
  try {
    const stack = await startStack({
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...run.flags },
      stackDir,
      portBase: c.BENCH_PORT_BASE === 'auto' ? 'auto' : Number(c.BENCH_PORT_BASE),
      logs: 'quiet',
    });
    try {
      const load = parseLoadConfig({
        SCENARIO: run.scenario,
        MODE: 'ramp',
        RAMP_START: String(c.RAMP_START),
        RAMP_FACTOR: String(c.RAMP_FACTOR),
        RAMP_STEP_SECONDS: String(c.STEP_SECONDS),
        RAMP_MAX_STEPS: String(c.RAMP_MAX_STEPS),
        RAMP_REFINE: String(c.RAMP_REFINE),
        SLO_P99_MS: String(c.SLO_P99_MS),
        SLO_ERROR_RATE: String(c.SLO_ERROR_RATE),
        WORKERS: String(c.WORKERS),
        CONNECTIONS: String(c.CONNECTIONS),
        WARMUP: String(c.WARMUP),
        STACK_FILE: stack.stackFile,
      });
      const attempt = () =>
        measure(load, progressLine(`${run.id} #${run.repeat}`), say, {
          SEED_USERS: String(c.BENCH_SEED_USERS),
          SEED_POSTS: String(c.BENCH_SEED_POSTS),
        });
      // One more try on the same stack: on a crowded machine a login can time out against a
      // quota-starved session store before any load is offered.
      const m = await attempt().catch((error: unknown) => {
        say(`bench: ${run.id} #${run.repeat}: ${message(error)}; trying once more`);
        return attempt();
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      return { row: rowOf(run, m, loadavg()), measurement: m };
    } finally {
      await stack.stop();
    }
  } catch (error) {
    say(`bench: ${run.id} #${run.repeat} failed: ${message(error)}`);
    return { row: failedRow(run, message(error), loadavg()), measurement: null };
  } finally {
    rmSync(stackDir, { recursive: true, force: true });
  }
}
