/**
 * `make bench-reshard`: the online reshard's write pause and errors, measured (a script, not a
 * test). One native SHARDS=2 stack (one server per web pool, no replicas, CACHE=off), PREFILL_POSTS
 * (100,000) posts of PREFILL_USERS (2,000) users written straight into the shard servers, and the
 * mixed load's write-heavy closed loop (LOAD_USERS, 16, each its own browser; every post through
 * the ledger). After BASELINE_S (10 s) of load, the anchor, MOVES (4) reshards alternate a set of
 * MOVE_SHARDS (32) logical shards of mysql-shard-1, chosen to hold load users, to mysql-shard-2 and
 * back, while the load runs. Per move: the server-side pause (fence to flip), rows copied per
 * second, and from the ledger the write attempts of the moved users and of the others that started
 * during the move (count, errors, p50, max), with the moved users' max against the baseline's p99.
 * Then the ledger is checked on both shard servers (no acknowledged post lost or duplicated). States
 * the generator's CPU and the machine's load average. Writes result.json under
 * RESULTS_DIR/bench-reshard-<time>/.
 *
 * Settings changed for the run, and why: RATE_LIMIT_SIGNUP_PER_MINUTE=0 (the load signs its users
 * up at once from one address); RESHARD_GRACE_MS stays the product's 10 s.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { Agent } from 'undici';
import { startStack } from '../../runner/stack/api.ts';
import { shardOfId } from '../../services/shared/shard/ids.ts';
import { formatShardList } from '../../services/shared/shard/reshard-plan.ts';
import { evenShardMap, LOGICAL_SHARDS } from '../../services/shared/shard/shard-map.ts';
import { summarize } from '../core/latency.ts';
import { lbCertificate, secretOf, serviceOf } from '../drills/stack.ts';
import { createAccounts } from '../mixed-load/accounts.ts';
import { startMixedLoad } from '../mixed-load/load.ts';
import { checkShardedPosts } from '../reshard/ledger.ts';
import { runReshardScript } from '../reshard/script.ts';
import { moveWrites } from './figures.ts';
import { prefill } from './prefill.ts';

const env = process.env;
const num = (name: string, fallback: number) => Number(env[name] ?? fallback);
const say = (text: string) => process.stdout.write(`${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const FLAGS = {
  STAGE: '4',
  SHARDS: '2',
  CACHE: 'off',
  WEB_REPLICAS: '1',
  READ_API_REPLICAS: '1',
  WRITE_API_REPLICAS: '1',
  DB_REPLICAS: '0',
  READ_FROM: 'primary',
  RATE_LIMIT_SIGNUP_PER_MINUTE: '0',
};

const ms = (n: number) => `${n.toFixed(0)} ms`;

async function main(): Promise<void> {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-bench-reshard-'));
  const base = env.STACK_PORT_BASE;
  const load0 = loadavg()[0] ?? 0;
  say(
    `starting SHARDS=2 in ${stackDir}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const stack = await startStack({
    env: { PATH: env.PATH ?? '/usr/bin:/bin', ...(env.HOME ? { HOME: env.HOME } : {}), ...FLAGS },
    stackDir,
    portBase: base ? Number(base) : 'auto',
  });
  const conns: Connection[] = [];
  try {
    const info = stack.info;
    const connect = async (name: string) => {
      const s = serviceOf(info, name);
      const c = await mysql.createConnection({
        host: s.host,
        port: s.ports.mysql ?? 0,
        user: info.mysql.user,
        password: secretOf(info, 'mysql-password'),
        database: info.mysql.database,
        connectTimeout: 5000,
        supportBigNumbers: true,
        bigNumberStrings: true,
      });
      conns.push(c);
      return c;
    };
    const directory = await connect('mysql-primary');
    const shardConns = [await connect('mysql-shard-1'), await connect('mysql-shard-2')];
    const map = evenShardMap(2);
    const users = num('PREFILL_USERS', 2000);
    const posts = num('PREFILL_POSTS', 100_000);
    const t0 = performance.now();
    await prefill(shardConns, map, users, posts);
    say(
      `prefilled ${users} users and ${posts} posts in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const entry = info.entry ?? '';
    const ca = lbCertificate(info);
    const dispatcher = new Agent({ connect: { ca }, keepAliveTimeout: 4000 });
    const accounts = await createAccounts(entry, dispatcher, num('LOAD_USERS', 16));
    const [rows] = await directory.query<RowDataPacket[]>(
      `SELECT CAST(id AS CHAR) AS id, username FROM users WHERE username IN (${accounts.map(() => '?').join(',')})`,
      accounts.map((a) => a.username),
    );
    const logicalOf = new Map(
      rows.map((r) => [String(r.username), shardOfId(BigInt(String(r.id)))]),
    );
    // The moving set: the load users' logical shards on mysql-shard-1, filled up to MOVE_SHARDS.
    const want = num('MOVE_SHARDS', 32);
    const onFirst = Array.from({ length: LOGICAL_SHARDS }, (_, l) => l).filter((l) => map[l] === 0);
    const moving = new Set([...logicalOf.values()].filter((l) => map[l] === 0));
    for (const l of onFirst) if (moving.size < want) moving.add(l);
    const shards = [...moving].sort((a, b) => a - b);
    const isMoved = (user: string) => moving.has(logicalOf.get(user) ?? -1);
    const movedUsers = accounts.filter((a) => isMoved(a.username)).length;
    say(
      `moving logical shards ${formatShardList(shards)} (${movedUsers} of ${accounts.length} load users)`,
    );

    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const load = await startMixedLoad({
      entry,
      ca,
      accounts,
      thinkMs: num('THINK_MS', 20),
      mix: { feed: 1, anon: 0, read: 1, write: 6, cart: 0, login: 0, upload: 0 },
    });
    const baselineS = num('BASELINE_S', 10);
    await sleep(baselineS * 1000);
    const baseline = summarize(
      load.ledger.entries.flatMap((e) =>
        e.attempts.filter((a) => a.at < load.now()).map((a) => a.ms),
      ),
    );
    say(
      `baseline (anchor, ${baselineS} s): write p50 ${ms(baseline.p50)}, p99 ${ms(baseline.p99)}, ${baseline.count} writes`,
    );
    const moves: Record<string, unknown>[] = [];
    const pauses: number[] = [];
    const rates: number[] = [];
    for (let m = 0; m < num('MOVES', 4); m++) {
      const to = m % 2 === 0 ? '2' : '1';
      const from = load.now();
      const run = await runReshardScript(stack.stackFile, {
        MOVE: formatShardList(shards),
        TO: to,
      });
      const until = load.now();
      if (run.code !== 0 || run.result === undefined)
        throw new Error(`reshard ${m + 1} failed (${run.code}): ${run.stderr}${run.stdout}`);
      const writes = moveWrites(load.ledger.entries, from, until, isMoved);
      const failed = load.outcomes.filter(
        (o) => o.at >= from && o.at < until && (o.status < 200 || o.status >= 400),
      );
      const errors = failed.length;
      const byKind: Record<string, number> = {};
      for (const o of failed) {
        const k = `${o.kind} ${o.status} ${o.code}`;
        byKind[k] = (byKind[k] ?? 0) + 1;
      }
      const r = run.result;
      pauses.push(r.pauseMs ?? 0);
      rates.push(r.rowsPerSecond);
      moves.push({
        to: `mysql-shard-${to}`,
        ...r,
        seconds: (until - from) / 1000,
        writes,
        errors,
        failed: byKind,
      });
      say(
        `move ${m + 1} → mysql-shard-${to}: ${r.rowsCopied} rows copied at ${r.rowsPerSecond} rows/s, pause ${ms(r.pauseMs ?? 0)} (fence → flip), ${((until - from) / 1000).toFixed(1)} s in all; moved users' writes ${writes.moved.writes} (errors ${writes.moved.errors}, p50 ${ms(writes.moved.latency.p50)}, max ${ms(writes.moved.latency.max)} = ${(writes.moved.latency.max / Math.max(baseline.p99, 1)).toFixed(1)}× baseline p99); others' ${writes.others.writes} (errors ${writes.others.errors}, p50 ${ms(writes.others.latency.p50)}, max ${ms(writes.others.latency.max)}); failed requests of any kind ${errors} (${Object.entries(
          byKind,
        )
          .map(([k, n]) => `${k}: ${n}`)
          .join(', ')})`,
      );
      await sleep(3000);
    }
    await load.stop();
    const cpu = process.cpuUsage(cpu0);
    const generatorCpu = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
    const verdict = await checkShardedPosts(info, load.ledger);
    await load.close();
    await dispatcher.close();
    const pause = summarize(pauses);
    const summary = {
      pauseP50Ms: pause.p50,
      pauseMaxMs: pause.max,
      rowsPerSecondP50: summarize(rates).p50,
      baselineWriteP50Ms: baseline.p50,
      baselineWriteP99Ms: baseline.p99,
      acknowledged: verdict.acknowledged,
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      generatorCpuShare: generatorCpu,
      loadAverage: [load0, loadavg()[0] ?? 0],
    };
    say(
      `write pause p50 ${ms(pause.p50)}, max ${ms(pause.max)} over ${pauses.length} moves; rows copied p50 ${summary.rowsPerSecondP50} rows/s; ledger: ${verdict.acknowledged} acknowledged posts, ${verdict.lost.length} lost, ${verdict.duplicated.length} duplicated; generator CPU ${(generatorCpu * 100).toFixed(0)} % of a core; load average ${load0.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)}`,
    );
    const dir = join(
      env.RESULTS_DIR ?? 'loadtest/results',
      `bench-reshard-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    );
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'result.json'),
      `${JSON.stringify({ flags: FLAGS, prefill: { users, posts }, shards, summary, moves }, null, 2)}\n`,
    );
    say(`wrote ${dir}/result.json`);
    if (!verdict.ok) process.exitCode = 1;
  } finally {
    await Promise.allSettled(conns.map((c) => c.end()));
    await stack.stop();
    rmSync(stackDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench-reshard failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
