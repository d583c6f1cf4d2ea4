/**
 * `make bench-db ARGS=master-master`: DB_TOPOLOGY=master-master against one primary.
 *
 * Throughput: the same closed-loop write load (BENCH_DB_WRITERS posts in flight, half the users on
 * each master) against a stack with one primary and one with two masters, each MariaDB box limited
 * to the same DB_BOX_CPUS, interleaved round by round; the median of the rounds is kept.
 *
 * Failure: a master killed with SIGKILL mid-writes (master-master: mysql-primary-2, whose users
 * move to mysql-primary; primary/replica: the primary, then `make promote`'s promotion), with the
 * link between the two sides either intact or cut for BENCH_DB_PARTITION_MS first; the ledger
 * counts acknowledged writes the surviving writer lacks.
 */
import { loadavg } from 'node:os';
import { cpuMicros } from '../bench-lb/procs.ts';
import { runFailover } from './failover.ts';
import {
  type MasterKillResult,
  runMasterKill,
  runWriteLoad,
  signUpWriters,
  type WriteLoadResult,
} from './master-master.ts';
import { startDbBench } from './stack.ts';

export type Topology = 'primary-replicas' | 'master-master';

export interface ThroughputRow {
  readonly topology: Topology;
  readonly round: number;
  readonly result: WriteLoadResult;
  /** The load generator's CPU, in cores, over the load. */
  readonly generatorCpu: number;
  readonly loadAverage: number;
  /** Whether the DB_BOX_CPUS quota was enforced (cgroups writable). */
  readonly quotaEnforced: boolean;
  /** CPU each MariaDB server used per acknowledged write, ms (from /proc over the load). */
  readonly dbCpuMsPerWrite: Readonly<Record<string, number>>;
}

export interface KillRow {
  readonly topology: Topology;
  readonly round: number;
  readonly partitionMs: number;
  readonly acknowledged: number;
  readonly acknowledgedBeforeKill: number;
  /** Acknowledged by the server that was killed. */
  readonly byKilled: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly writesBackMs: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly generatorCpu: number;
  readonly loadAverage: number;
}

export interface MasterMasterBenchSettings {
  readonly rounds: number;
  readonly seconds: number;
  readonly writers: number;
  readonly partitionMs: number;
  readonly dbBoxCpus: string;
}

const STACK = {
  STAGE: '4',
  WEB_REPLICAS: '2',
  READ_API_REPLICAS: '0',
  WRITE_API_REPLICAS: '0',
  DB_REPLICAS: '1',
  CDN: 'off',
};

function cpuSince(cpu0: NodeJS.CpuUsage, t0: number): number {
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
}

async function withStack<T>(
  flags: Record<string, string>,
  work: (bench: Awaited<ReturnType<typeof startDbBench>>, origins: string[]) => Promise<T>,
): Promise<T> {
  const bench = await startDbBench({ ...STACK, ...flags }, { users: 0, posts: 0 });
  try {
    const origins = bench.stack.info.services
      .filter((s) => s.kind === 'web')
      .map((s) => `http://${s.host}:${String(s.ports.http)}`);
    return await work(bench, origins);
  } finally {
    await bench.stop();
  }
}

/** Users per master so that users × web servers ≈ writers in flight. */
const perMaster = (writers: number, origins: number) =>
  Math.max(1, Math.round(writers / (2 * origins)));

export async function benchThroughput(
  s: MasterMasterBenchSettings,
  say: (line: string) => void,
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (let round = 1; round <= s.rounds; round++)
    for (const topology of ['primary-replicas', 'master-master'] as const) {
      say(`throughput round ${round}: DB_TOPOLOGY=${topology}, DB_BOX_CPUS=${s.dbBoxCpus}`);
      rows.push(
        await withStack(
          { DB_TOPOLOGY: topology, DB_BOX_CPUS: s.dbBoxCpus },
          async (bench, origins) => {
            const writers = await signUpWriters(
              origins[0] ?? '',
              perMaster(s.writers, origins.length),
              `mmtp_${topology.replace('-', '_')}_${round}`,
            );
            const servers = bench.stack.info.services.filter(
              (x) => x.ports.mysql !== undefined && x.pid !== null,
            );
            const db0 = servers.map((x) => cpuMicros(x.pid ?? 0));
            const cpu0 = process.cpuUsage();
            const t0 = performance.now();
            const result = await runWriteLoad(origins, writers, s.seconds);
            const perWrite = (pid: number | null, i: number) =>
              (cpuMicros(pid ?? 0) - (db0[i] ?? 0)) / 1000 / Math.max(1, result.acknowledged);
            return {
              dbCpuMsPerWrite: Object.fromEntries(
                servers.map((x, i) => [x.name, perWrite(x.pid, i)]),
              ),
              topology,
              round,
              result,
              generatorCpu: cpuSince(cpu0, t0),
              loadAverage: loadavg()[0] ?? 0,
              quotaEnforced: bench.stack.info.boxes.enforced,
            };
          },
        ),
      );
    }
  return rows;
}

export async function benchKill(
  s: MasterMasterBenchSettings,
  say: (line: string) => void,
): Promise<KillRow[]> {
  const rows: KillRow[] = [];
  for (let round = 1; round <= s.rounds; round++)
    for (const partitionMs of [0, s.partitionMs])
      rows.push(...(await killRound(s, round, partitionMs, say)));
  return rows;
}

/** One round of both topologies with the link intact or cut `partitionMs` before the kill. */
async function killRound(
  s: MasterMasterBenchSettings,
  round: number,
  partitionMs: number,
  say: (line: string) => void,
): Promise<KillRow[]> {
  const rows: KillRow[] = [];
  say(`kill round ${round}: DB_TOPOLOGY=master-master, link cut ${partitionMs} ms before the kill`);
  rows.push(
    await withStack({ DB_TOPOLOGY: 'master-master' }, async (bench, origins) => {
      const writers = await signUpWriters(
        origins[0] ?? '',
        perMaster(s.writers, origins.length),
        `mmkill_${round}_${partitionMs}`,
      );
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r: MasterKillResult = await runMasterKill(
        {
          stackFile: bench.stack.stackFile,
          origins,
          writers,
          beforeMs: s.seconds * 1000,
          afterMs: 5000,
          partitionMs,
          victim: 1,
        },
        say,
      );
      return {
        topology: 'master-master' as const,
        round,
        partitionMs,
        acknowledged: r.acknowledged,
        acknowledgedBeforeKill: r.acknowledgedBeforeKill,
        byKilled: r.acknowledgedByVictim,
        lost: r.verdict.lost.length,
        duplicated: r.verdict.duplicated.length,
        writesBackMs: r.writesBackMs,
        refused: r.refused,
        generatorCpu: cpuSince(cpu0, t0),
        loadAverage: loadavg()[0] ?? 0,
      };
    }),
  );
  say(
    `kill round ${round}: DB_TOPOLOGY=primary-replicas + promotion, link cut ${partitionMs} ms before the kill`,
  );
  rows.push(
    await withStack({ DB_TOPOLOGY: 'primary-replicas', WEB_REPLICAS: '1' }, async (bench) => {
      const cookie = await bench.writer(`mmkill_pr_${round}_${partitionMs}`);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await runFailover(
        {
          stackFile: bench.stack.stackFile,
          origin: bench.origin,
          cookie,
          writers: s.writers,
          beforeMs: s.seconds * 1000,
          afterMs: 5000,
          partitionMs,
        },
        say,
      );
      return {
        topology: 'primary-replicas' as const,
        round,
        partitionMs,
        acknowledged: r.acknowledged,
        acknowledgedBeforeKill: r.acknowledgedBeforeKill,
        byKilled: r.acknowledgedBeforeKill,
        lost: r.lost,
        duplicated: r.duplicated,
        writesBackMs: r.writesBackMs,
        refused: r.refused,
        generatorCpu: cpuSince(cpu0, t0),
        loadAverage: loadavg()[0] ?? 0,
      };
    }),
  );
  return rows;
}
