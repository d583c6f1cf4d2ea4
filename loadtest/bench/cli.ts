/**
 * `make bench`: one scenario across the stages and flag variations (loadtest/bench/matrix.ts), a
 * fresh stack per run with the benchmark profile's CPU quotas, capacity at the SLO by a ramp, the
 * USE verdict per run. Writes RESULTS_DIR/bench-<time>/summary.json, summary.md, report.html and
 * runs/<id>-<repeat>.json, points RESULTS_DIR/latest at it, and prints the table and the ratios
 * (each repeat side by side with its spread). See loadtest/README.md.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stopStack } from '../../runner/stack/api.ts';
import { ConfigError } from '../../services/shared/config/env.ts';
import { ownCpuacctGroup } from '../sample/own-group.ts';
import { chartJsSource } from './chart-library.ts';
import { type BenchConfig, parseBenchConfig, runSeconds } from './config.ts';
import { reportHtml } from './html.ts';
import { ratiosTable, rowsTable, summaryMarkdown } from './markdown.ts';
import { planMatrix, profileFlags } from './matrix.ts';
import { ratios } from './ratios.ts';
import type { BenchRow } from './row.ts';
import { runOne } from './run-one.ts';
import type { BenchSummary } from './summary.ts';

const say = (t: string) => process.stderr.write(`${t}\n`);
const START_LOAD = loadavg();

function write(dir: string, c: BenchConfig, startedAt: string, rows: BenchRow[]): BenchSummary {
  const summary: BenchSummary = {
    version: 1,
    run: basename(dir),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      cores: availableParallelism(),
      loadAverageAtStart: START_LOAD,
      cgroup: ownCpuacctGroup()?.path ?? null,
    },
    scenario: c.SCENARIO,
    slo: { p99Ms: c.SLO_P99_MS, errorRate: c.SLO_ERROR_RATE },
    profile: profileFlags(c),
    rows,
    ratios: ratios(rows),
  };
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, 'summary.md'), summaryMarkdown(summary));
  writeFileSync(join(dir, 'report.html'), reportHtml(summary, chartJsSource()));
  return summary;
}

function pointLatest(resultsDir: string, dir: string): void {
  const link = join(resultsDir, 'latest');
  rmSync(link, { force: true });
  symlinkSync(basename(dir), link);
}

async function main(): Promise<void> {
  const c = parseBenchConfig(process.env);
  const matrix = planMatrix(c);
  const startedAt = new Date().toISOString();
  const dir = join(c.RESULTS_DIR, `bench-${startedAt.replace(/[:.]/g, '-')}`);
  mkdirSync(join(dir, 'runs'), { recursive: true });
  say(
    `bench: ${matrix.length} runs of ${c.SCENARIO} (at most ${runSeconds(c)} s of load each, plus starting and seeding a stack); load average ${START_LOAD.map((v) => v.toFixed(1)).join(' ')}`,
  );
  let current: string | null = null;
  const interrupt = (signal: string) => {
    say(`bench: ${signal}: stopping the stack of the current run`);
    const stop = current ? stopStack(current).catch(() => undefined) : Promise.resolve();
    void stop.then(() => {
      if (current) rmSync(current, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', () => interrupt('SIGINT'));
  process.once('SIGTERM', () => interrupt('SIGTERM'));
  const rows: BenchRow[] = [];
  for (const [i, run] of matrix.entries()) {
    say(`bench: [${i + 1}/${matrix.length}] ${run.label} (${run.scenario}) #${run.repeat}`);
    current = mkdtempSync(join(tmpdir(), 'scaling-lab-bench-'));
    const outcome = await runOne(c, run, current, say);
    current = null;
    rows.push(outcome.row);
    if (outcome.measurement)
      writeFileSync(
        join(dir, 'runs', `${run.id}-${run.repeat}.json`),
        `${JSON.stringify(outcome.measurement)}\n`,
      );
    const r = outcome.row;
    say(
      `bench: ${run.id} #${run.repeat}: ${r.capacityRps.toFixed(0)} req/s at the SLO, p99 ${r.p99Ms.toFixed(0)} ms, bottleneck ${r.bottleneck?.component ?? '—'}, generator ${r.generator.cores.toFixed(2)} cores${r.generator.limited ? ' (LIMITED)' : ''}, machine ${(r.machineBusy * 100).toFixed(0)} %${r.machineSaturated ? ' (SATURATED)' : ''}`,
    );
    write(dir, c, startedAt, rows);
  }
  const summary = write(dir, c, startedAt, rows);
  pointLatest(c.RESULTS_DIR, dir);
  process.stdout.write(
    `${[...rowsTable(summary.rows), '', ...ratiosTable(summary.ratios)].join('\n')}\n\nwritten: ${dir}/summary.json, summary.md, report.html\n`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`bench: ${error.message}\n`);
  else
    process.stderr.write(
      `bench failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  process.exit(error instanceof ConfigError ? 2 : 1);
});
