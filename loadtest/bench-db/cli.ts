/**
 * `make bench-db [ARGS="qcache ..."]`: the notes' MySQL chapter measured. Each phase starts its own
 * native stacks on free ports, runs its loads and prints a Markdown table; nothing is left running.
 * Settings: BENCH_DB_SECONDS (per load, default 10), BENCH_DB_CONNECTIONS (default 16),
 * BENCH_DB_POSTS (seeded posts, default 20000), BENCH_DB_ROUNDS (interleaved rounds, median kept; 3),
 * BENCH_DB_WRITERS (failover: concurrent writers, default 16), BENCH_DB_PARTITION_MS (failover: how
 * long the replication links are cut before the kill in the second scenario, default 1000),
 * BENCH_DB_BOX_CPUS (master-master: every MariaDB box's quota for the throughput comparison, 0.5).
 */
import { cpus, loadavg } from 'node:os';
import { ConfigError, field, integer, parseEnv, text } from '../../services/shared/config/env.ts';
import { benchEngines } from './engines.ts';
import { benchFailover } from './failover.ts';
import { benchKill, benchThroughput } from './master-master-bench.ts';
import { killTable, throughputTable } from './master-master-report.ts';
import { benchQcache } from './qcache.ts';
import { engineTable, failoverTable, qcacheTable } from './report.ts';
import { startDbBench } from './stack.ts';

const PHASES = ['qcache', 'engines', 'failover', 'master-master'] as const;
type Phase = (typeof PHASES)[number];

const schema = {
  BENCH_DB_SECONDS: field(integer(2, 600), 10),
  BENCH_DB_CONNECTIONS: field(integer(1, 256), 16),
  BENCH_DB_POSTS: field(integer(100, 2_000_000), 20_000),
  BENCH_DB_ROUNDS: field(integer(1, 20), 3),
  BENCH_DB_WRITERS: field(integer(1, 256), 16),
  BENCH_DB_PARTITION_MS: field(integer(100, 60_000), 1000),
  BENCH_DB_ENGINE_ROWS: field(integer(0, 1_000_000), 10_000),
  BENCH_DB_BOX_CPUS: field(text(/^(0|[0-9]+(\.[0-9]+)?)$/, 'a CPU quota such as 0.5'), '0.5'),
  STACK_PORT_BASE: field(integer(1024, 65535 - 900), 8000),
};

const say = (line: string) => process.stderr.write(`bench-db: ${line}\n`);

async function main(): Promise<number> {
  let env: ReturnType<typeof parseEnv<typeof schema>>;
  try {
    env = parseEnv(process.env, schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      say(error.message);
      return 2;
    }
    throw error;
  }
  const asked = process.argv.slice(2);
  const bad = asked.filter((a) => !PHASES.includes(a as Phase));
  if (bad.length > 0) {
    say(`unknown phase ${bad.join(', ')}; phases: ${PHASES.join(', ')}`);
    return 2;
  }
  const phases = asked.length > 0 ? (asked as Phase[]) : [...PHASES];
  const out: string[] = [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} at start; the load generator runs on the same machine (its CPU is in each row)`,
  ];
  if (phases.includes('qcache')) {
    const rows = await benchQcache(
      {
        seconds: env.BENCH_DB_SECONDS,
        connections: env.BENCH_DB_CONNECTIONS,
        rounds: env.BENCH_DB_ROUNDS,
        size: { users: 500, posts: env.BENCH_DB_POSTS },
      },
      say,
    );
    out.push('', '### Query cache vs memcached vs neither', '', qcacheTable(rows));
  }
  if (phases.includes('engines')) {
    const rows = await benchEngines(
      {
        seconds: env.BENCH_DB_SECONDS,
        rows: env.BENCH_DB_ENGINE_ROWS,
        portBase: env.STACK_PORT_BASE,
      },
      say,
    );
    out.push('', '### Storage engines (posts table, private MariaDB)', '', engineTable(rows));
  }
  if (phases.includes('failover')) {
    const rows = await benchFailover(
      {
        rounds: env.BENCH_DB_ROUNDS,
        seconds: env.BENCH_DB_SECONDS,
        writers: env.BENCH_DB_WRITERS,
        partitions: [0, env.BENCH_DB_PARTITION_MS],
      },
      async (flags) => {
        const bench = await startDbBench(flags, { users: 0, posts: 0 });
        return { ...bench, stackFile: bench.stack.stackFile };
      },
      say,
    );
    out.push(
      '',
      '### Failover: kill -9 of the primary mid-writes, then `make promote` (ledger on the new writer)',
      '',
      failoverTable(rows),
    );
  }
  if (phases.includes('master-master')) {
    const settings = {
      rounds: env.BENCH_DB_ROUNDS,
      seconds: env.BENCH_DB_SECONDS,
      writers: env.BENCH_DB_WRITERS,
      partitionMs: env.BENCH_DB_PARTITION_MS,
      dbBoxCpus: env.BENCH_DB_BOX_CPUS,
    };
    const throughput = await benchThroughput(settings, say);
    out.push(
      '',
      `### Write throughput: two masters vs one primary (DB_BOX_CPUS=${settings.dbBoxCpus} each, ${settings.writers} writes in flight)`,
      '',
      throughputTable(throughput),
    );
    const kills = await benchKill(settings, say);
    out.push(
      '',
      '### A master killed with SIGKILL mid-writes (ledger on the surviving writer)',
      '',
      killTable(kills),
    );
  }
  out.push(
    '',
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

process.exitCode = await main();
