/**
 * `make reshard MOVE=0-15 TO=mysql-shard-2`: moves logical shards to another shard server of the
 * running stack while it takes writes (scripts/reshard/run.ts says how); `make reshard` alone
 * finishes a run that stopped half-way. Prints each phase, the rows copied per second and the
 * write pause.
 */

import { readFileSync } from 'node:fs';
import { type Connection, createConnection } from 'mysql2/promise';
import { defaultStackFile } from '../runner/host/paths.ts';
import { readStackFile } from '../runner/stack/read-stack.ts';
import { ConfigError, field, integer, parseEnv, text } from '../services/shared/config/env.ts';
import { claimMaintenance, MaintenanceBusyError } from './maintenance-lock.ts';
import { ReshardInputError, runReshard } from './reshard/run.ts';

const schema = {
  STACK_FILE: field(text(), defaultStackFile(process.env)),
  /** Logical shards to move: numbers and ranges, `0-15,40`. */
  MOVE: field(text(/^[0-9,\- ]{0,1024}$/, 'logical shards such as 0-15,40'), ''),
  /** The target shard server: `mysql-shard-2`, `shard-2` or `2`. */
  TO: field(text(/^[\w-]{0,32}$/, 'a shard server such as mysql-shard-2'), ''),
  /** Catch-up's look-back when INNODB_TRX cannot be read (the longest a write may take). */
  RESHARD_WINDOW_MS: field(integer(1000, 600_000), 30_000),
  /** Wait between the flip and deleting the source's copy (web servers re-read the map every 2 s). */
  RESHARD_GRACE_MS: field(integer(0, 600_000), 10_000),
  RESHARD_BATCH: field(integer(1, 10_000), 1000),
  RESHARD_PASSES: field(integer(0, 100), 5),
  /** How long the target's replicas may take to apply the copy, before the pause. */
  RESHARD_REPLICA_WAIT_MS: field(integer(0, 600_000), 10_000),
  /** The same, inside the write pause (shorter than the web's SHARD_MOVE_WAIT_MS, 5 s). */
  RESHARD_PAUSE_REPLICA_WAIT_MS: field(integer(0, 5000), 1000),
  /** Tests only: exit (as a crash would) once this phase is reached. */
  RESHARD_CRASH_AFTER: field(text(/^(|copied|fenced|flipped)$/, 'copied, fenced or flipped'), ''),
};

async function main(): Promise<void> {
  const env = parseEnv(process.env, schema);
  const stack = readStackFile(env.STACK_FILE);
  if (stack.shards === null || stack.shards === undefined)
    throw new ConfigError(['make reshard needs a sharded stack: start it with SHARDS=2..8']);
  const password = readFileSync(stack.secrets['mysql-root-password'], 'utf8').trim();
  const connect = async (name: string): Promise<Connection> => {
    const s = stack.services.find((x) => x.name === name);
    if (s?.ports.mysql === undefined) throw new Error(`stack.json has no ${name}`);
    const conn = await createConnection({
      host: s.host,
      port: s.ports.mysql,
      // Root: INNODB_TRX (the oldest running transaction) needs the PROCESS privilege.
      user: stack.mysql.rootUser,
      password,
      database: stack.mysql.database,
      connectTimeout: 5000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      timezone: 'Z',
    });
    // The web servers write DATETIMEs (idempotency_keys.created_at) in UTC; the catch-up compares
    // them with FROM_UNIXTIME, which is in the session's zone: UTC too, whatever the host's.
    await conn.query("SET time_zone = '+00:00'");
    return conn;
  };
  const directory = await connect('mysql-primary');
  const servers: Connection[] = [];
  const replicas: Connection[][] = [];
  try {
    // Held for the whole run: refused while a make archive runs, and none starts meanwhile.
    await claimMaintenance(directory, stack.mysql.database, 'reshard');
    for (const name of stack.shards.servers) {
      servers.push(await connect(name));
      const mine: Connection[] = [];
      for (const replica of stack.shards.replicas?.[name] ?? []) mine.push(await connect(replica));
      replicas.push(mine);
    }
    const report = await runReshard({
      directory,
      servers,
      replicas,
      replicaWaitMs: env.RESHARD_REPLICA_WAIT_MS,
      pauseReplicaWaitMs: env.RESHARD_PAUSE_REPLICA_WAIT_MS,
      move: env.MOVE,
      to: env.TO,
      windowMs: env.RESHARD_WINDOW_MS,
      graceMs: env.RESHARD_GRACE_MS,
      batch: env.RESHARD_BATCH,
      maxPasses: env.RESHARD_PASSES,
      quietRows: 50,
      say: (line) => console.log(`reshard: ${line}`),
      reached: (phase) => {
        if (phase !== env.RESHARD_CRASH_AFTER) return;
        console.log(`reshard: RESHARD_CRASH_AFTER=${phase}: exiting without finishing`);
        process.exit(3);
      },
    });
    const perSecond = Math.round(report.rowsCopied / Math.max(report.copyMs / 1000, 0.001));
    console.log(
      `reshard: done (job ${report.job}): ${report.rowsCopied} rows copied in ${report.copyMs} ms (${perSecond} rows/s), write pause ${report.pauseMs ?? 'n/a (resumed after the flip)'} ms, ${report.rowsDeleted} rows deleted from the source, map version ${report.mapVersion}`,
    );
    console.log(`RESHARD_RESULT ${JSON.stringify({ ...report, rowsPerSecond: perSecond })}`);
  } finally {
    await Promise.allSettled([directory, ...servers, ...replicas.flat()].map((c) => c.end()));
  }
}

main().catch((error: unknown) => {
  const refused =
    error instanceof ConfigError ||
    error instanceof ReshardInputError ||
    error instanceof MaintenanceBusyError;
  if (refused) console.error(`reshard: ${error.message}`);
  else console.error(`reshard failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(refused ? 2 : 1);
});
