/**
 * `make plan [PEAK_FACTOR=3] [PLAN_SUMMARY=loadtest/results/latest/summary.json]`: the capacity
 * plan for the notes' numbers from the latest make bench (see plan.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, decimal, field, parseEnv, text } from '../../services/shared/config/env.ts';
import type { BenchSummary } from '../bench/summary.ts';
import { NOTES_WORKLOAD } from './notes.ts';
import { capacityPlan } from './plan.ts';
import { planText } from './text.ts';

const schema = {
  PEAK_FACTOR: field(decimal(1, 100), 3),
  PLAN_SUMMARY: field(text(), 'loadtest/results/latest/summary.json'),
};

function main(): void {
  const c = parseEnv(process.env, schema);
  if (!existsSync(c.PLAN_SUMMARY))
    throw new Error(
      `${c.PLAN_SUMMARY} does not exist: run make bench first (BENCH_ONLY=stages is enough)`,
    );
  const summary = JSON.parse(readFileSync(c.PLAN_SUMMARY, 'utf8')) as BenchSummary;
  if (summary.version !== 1) throw new Error(`${c.PLAN_SUMMARY}: unsupported summary version`);
  const plan = capacityPlan(summary.rows, summary.run, summary.scenario, {
    ...NOTES_WORKLOAD,
    peakFactor: c.PEAK_FACTOR,
  });
  process.stdout.write(`${planText(plan, c.PLAN_SUMMARY)}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`plan: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
