/**
 * `make bench-shards`: write throughput at the SLO with 1, 2 and 4 shard servers (BENCH_SHARDS)
 * at a fixed DB_BOX_CPUS, so the write tier is the bottleneck on purpose, and the feed's latency
 * scatter-gather vs the precomputed timeline (FEED=timeline, which also shows the fan-out's cost
 * on the write capacity). A fresh stack per run. Prints the table and the ratios against the
 * unsharded run of the same invocation, with the generator's CPU and the machine's load, and
 * writes RESULTS_DIR/bench-shards-<time>/summary.json and summary.md.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../services/shared/config/env.ts';
import { parseShardBenchConfig, type ShardBenchConfig } from './config.ts';
import { planRuns } from './plan.ts';
import { reportText, type ShardRow, shardRatios } from './report.ts';
import { runShards } from './run.ts';

const say = (t: string) => process.stderr.write(`${t}\n`);

async function main(): Promise<number> {
  let c: ShardBenchConfig;
  try {
    c = parseShardBenchConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    say(`bench-shards: ${error.message}`);
    return 2;
  }
  const startLoad = loadavg();
  const startedAt = new Date().toISOString();
  const dir = join(c.RESULTS_DIR, `bench-shards-${startedAt.replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const rows: ShardRow[] = [];
  for (const run of planRuns(c)) {
    say(
      `bench-shards: starting ${run.shards} shard server(s), FEED=${run.feed} (load ${loadavg()[0]?.toFixed(1)})`,
    );
    const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-bench-shards-'));
    rows.push(await runShards(c, run, stackDir, say));
  }
  const ratios = shardRatios(rows, c.FEED_SHARDS);
  const text = reportText(rows, ratios, {
    dbBoxCpus: c.BENCH_DB_BOX_CPUS,
    cores: availableParallelism(),
    startLoad,
  });
  writeFileSync(
    join(dir, 'summary.json'),
    `${JSON.stringify({ startedAt, finishedAt: new Date().toISOString(), config: c, rows, ratios }, null, 2)}\n`,
  );
  writeFileSync(join(dir, 'summary.md'), text);
  process.stdout.write(text);
  say(`bench-shards: ${join(dir, 'summary.md')}`);
  return rows.some((r) => r.error !== undefined) ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  // One line, no stack trace (a stack that would not start, a results directory not writable…).
  say(`bench-shards: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
