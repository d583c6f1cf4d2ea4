/**
 * Failover with the ledger: writers post at full speed, each post with its own Idempotency-Key
 * and a body that names it; the primary is killed with SIGKILL mid-writes (and kept down, as a
 * dead box would be); `make promote`'s promotion runs; writes go on against the new writer. Then
 * every acknowledged key is looked up on the new writer: lost (acknowledged, not there) and
 * duplicated (there twice). Used by `make bench-db failover` (semi-sync off against on) and by the
 * semi-sync integration test.
 */
import type { RowDataPacket } from 'mysql2/promise';
import { request } from 'undici';
import { stopService } from '../../runner/stack/control.ts';
import { dbTierOf } from '../../runner/stack/db-tier.ts';
import type { FaultProxy } from '../../services/fault-proxy/proxy.ts';
import type { Toxic } from '../../services/fault-proxy/toxics.ts';
import { connectAsRoot, type DbTier, promote } from '../../services/shared/db/promotion/promote.ts';
import { summarize } from '../core/latency.ts';
import { connectDb, readStackFile, type StackFile, serviceOf } from '../drills/stack.ts';
import { relayReplicationThrough } from './relay.ts';

export interface FailoverSettings {
  readonly stackFile: string;
  /** http://host:port of a web server (the writes skip the LB). */
  readonly origin: string;
  /** The logged-in writer's cookie header. */
  readonly cookie: string;
  readonly writers: number;
  /** Writing before the kill (the write latency is measured over this part). */
  readonly beforeMs: number;
  /** Writing after the promotion. */
  readonly afterMs: number;
  /**
   * 0, or how long the replication links are cut before the kill: the replicas reach the primary
   * through relays (the fault proxy's, in this process) that then drop what the primary sends, as
   * a network partition (or a host that loses its network before it dies) would. A plain kill -9
   * cannot show the difference on one machine: the kernel still delivers what the dead process
   * had written to its sockets, and even a paused replica reads it from its buffer afterwards.
   */
  readonly partitionMs: number;
}

export interface FailoverResult {
  readonly newWriter: string;
  /** Writes acknowledged (2xx) in the whole run. */
  readonly acknowledged: number;
  /** Acknowledged before the kill. */
  readonly acknowledgedBeforeKill: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Write latency of acknowledged writes before the kill. */
  readonly writeP50Ms: number;
  readonly writeP99Ms: number;
  readonly promoteMs: number;
  /** From the kill until the first write acknowledged by the new writer. */
  readonly writesBackMs: number;
  /** Answers other than 2xx, by status (0 = no answer). */
  readonly refused: Readonly<Record<string, number>>;
}

interface Write {
  readonly key: string;
  readonly at: number;
  readonly ms: number;
  readonly status: number;
}

const WRITE_TIMEOUT_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const failoverBody = (key: string) => `failover ledger ${key}`;

async function writeOnce(s: FailoverSettings, key: string): Promise<number> {
  try {
    const res = await request(`${s.origin}/api/posts`, {
      method: 'POST',
      body: JSON.stringify({ body: failoverBody(key) }),
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'idempotency-key': key },
      headersTimeout: WRITE_TIMEOUT_MS,
      bodyTimeout: WRITE_TIMEOUT_MS,
    });
    await res.body.dump();
    return res.statusCode;
  } catch {
    return 0;
  }
}

const PARTITION: Toxic = {
  name: 'partition',
  type: 'timeout',
  stream: 'downstream',
  toxicity: 1,
  attributes: { timeout: 0 },
};

/** Points every replica at the primary through a relay of its own; resolves once all follow it. */
async function relayReplication(stack: StackFile, tier: DbTier, say: (line: string) => void) {
  const primary = serviceOf(stack, 'mysql-primary');
  const relays: FaultProxy[] = [];
  for (const replica of stack.services.filter((x) => x.kind === 'mysql-replica')) {
    const relay = await relayReplicationThrough(
      tier,
      { name: replica.name, host: replica.host, port: replica.ports.mysql ?? 0 },
      { host: primary.host, port: primary.ports.mysql ?? 0 },
      { waitForIo: false },
    );
    relays.push(relay);
    say(`${replica.name} replicates through 127.0.0.1:${relay.port}`);
  }
  const db = await connectAsRoot(tier, { host: primary.host, port: primary.ports.mysql ?? 0 });
  try {
    for (let i = 0; i < 100; i++) {
      const [rows] = await db.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'",
      );
      if (Number(rows[0]?.n) >= relays.length) return relays;
      await sleep(100);
    }
  } finally {
    await db.end().catch(() => undefined);
  }
  throw new Error('the replicas did not reconnect through their relays within 10 s');
}

export async function runFailover(
  s: FailoverSettings,
  say: (line: string) => void,
): Promise<FailoverResult> {
  const run = `${Date.now().toString(36)}`;
  const writes: Write[] = [];
  const t0 = performance.now();
  let stop = false;
  let n = 0;
  const writer = async () => {
    while (!stop) {
      const key = `fo-${run}-${n++}`;
      const at = performance.now() - t0;
      const status = await writeOnce(s, key);
      writes.push({ key, at, ms: performance.now() - t0 - at, status });
      // A refused write backs off a little, as a client would, instead of spinning.
      if (status < 200 || status >= 300) await sleep(50);
    }
  };
  const stack = readStackFile(s.stackFile);
  const tier = dbTierOf(stack);
  const relays = s.partitionMs > 0 ? await relayReplication(stack, tier, say) : [];
  const running = Array.from({ length: s.writers }, writer);
  await sleep(s.beforeMs);
  for (const relay of relays) relay.addToxic(PARTITION);
  if (relays.length > 0) {
    say(`replication links cut for ${s.partitionMs} ms before the kill`);
    await sleep(s.partitionMs);
  }
  const killedAt = performance.now() - t0;
  await stopService(s.stackFile, 'mysql-primary', { signal: 'SIGKILL' });
  // What the relays held back dies with the primary's host.
  await Promise.all(relays.map((r) => r.disable()));
  say(`primary killed at ${(killedAt / 1000).toFixed(1)} s`);
  const promoted = await promote(tier, (line) => say(`promote: ${line}`));
  await sleep(s.afterMs);
  stop = true;
  await Promise.all(running);

  const ok = (w: Write) => w.status >= 200 && w.status < 300;
  const acked = writes.filter(ok);
  const before = acked.filter((w) => w.at + w.ms <= killedAt);
  const back = acked.find((w) => w.at > killedAt);
  const refused: Record<string, number> = {};
  for (const w of writes.filter((x) => !ok(x)))
    refused[String(w.status)] = (refused[String(w.status)] ?? 0) + 1;

  const db = await connectDb(stack, promoted.writer);
  const counts = new Map<string, number>();
  try {
    const bodies = acked.map((w) => failoverBody(w.key));
    for (let i = 0; i < bodies.length; i += 500) {
      const part = bodies.slice(i, i + 500);
      const [rows] = await db.query<RowDataPacket[]>(
        {
          sql: `SELECT body, COUNT(*) AS n FROM posts WHERE body IN (${part.map(() => '?').join(',')}) GROUP BY body`,
          timeout: 30_000,
        },
        part,
      );
      for (const r of rows) counts.set(String(r.body), Number(r.n));
    }
  } finally {
    await db.end().catch(() => undefined);
  }
  const latency = summarize(before.map((w) => w.ms));
  const found = (w: Write) => counts.get(failoverBody(w.key)) ?? 0;
  return {
    newWriter: promoted.writer,
    acknowledged: acked.length,
    acknowledgedBeforeKill: before.length,
    lost: acked.filter((w) => found(w) === 0).length,
    duplicated: acked.filter((w) => found(w) > 1).length,
    writeP50Ms: latency.p50,
    writeP99Ms: latency.p99,
    promoteMs: promoted.ms,
    writesBackMs: back === undefined ? Number.NaN : back.at + back.ms - killedAt,
    refused,
  };
}

export interface FailoverRow {
  readonly semisync: 'off' | 'on';
  readonly partitionMs: number;
  readonly result: FailoverResult;
  /** The load generator's CPU, in cores, over the run. */
  readonly generatorCpu: number;
}

export interface FailoverBenchSettings {
  readonly rounds: number;
  readonly seconds: number;
  readonly writers: number;
  /** The partitions to try, e.g. [0, 1000] ms: 0 = the replicas keep up. */
  readonly partitions: readonly number[];
}

/**
 * Semi-sync off and on, `rounds` times each, interleaved; each round on a fresh stage-4 stack with
 * one web server (the promotion needs two replicas; API pools would only share the two cores).
 */
export async function benchFailover(
  settings: FailoverBenchSettings,
  start: (flags: Record<string, string>) => Promise<{
    readonly stackFile: string;
    readonly origin: string;
    writer(name: string): Promise<string>;
    stop(): Promise<void>;
  }>,
  say: (line: string) => void,
): Promise<FailoverRow[]> {
  const rows: FailoverRow[] = [];
  for (let round = 1; round <= settings.rounds; round++)
    for (const partitionMs of settings.partitions)
      for (const semisync of ['off', 'on'] as const) {
        say(
          `failover round ${round}: DB_SEMISYNC=${semisync}, replication cut ${partitionMs} ms before the kill`,
        );
        const bench = await start({
          STAGE: '4',
          WEB_REPLICAS: '1',
          READ_API_REPLICAS: '0',
          WRITE_API_REPLICAS: '0',
          DB_SEMISYNC: semisync,
        });
        try {
          const cookie = await bench.writer(`failover_${semisync}_${round}`);
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          const result = await runFailover(
            {
              stackFile: bench.stackFile,
              origin: bench.origin,
              cookie,
              writers: settings.writers,
              beforeMs: settings.seconds * 1000,
              afterMs: 3000,
              partitionMs,
            },
            say,
          );
          const cpu = process.cpuUsage(cpu0);
          rows.push({
            semisync,
            partitionMs,
            result,
            generatorCpu: (cpu.user + cpu.system) / 1000 / (performance.now() - t0),
          });
        } finally {
          await bench.stop();
        }
      }
  return rows;
}
