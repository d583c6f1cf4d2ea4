/**
 * `make rejoin [SERVICE=mysql-primary]`: a fenced server (an old primary after a promotion) becomes a
 * replica of the current writer of the running native stack:
 *   1. its errant transactions (written by it, never received by the writer: with semi-sync, the
 *      commits that waited for an acknowledgement when it died) are reported; with any, it stops
 *      there unless REJOIN_REBUILD=true, which replaces its data with a copy of the writer's
 *      (rejoin/rebuild.ts): replaying the writer's later rows over the errant ones would clash
 *      (the same AUTO_INCREMENT ids) or silently diverge;
 *   2. it turns read-only and replicates from the writer (GTID), and is waited for until it has
 *      caught up;
 *   3. the next topology record drops it from the fenced list, so clients read from it again.
 */

import { defaultStackFile } from '../runner/host/paths.ts';
import { dbTierOf } from '../runner/stack/db-tier.ts';
import { readStackFile } from '../runner/stack/read-stack.ts';
import { boolean, ConfigError, field, parseEnv, text } from '../services/shared/config/env.ts';
import { errantRanges } from '../services/shared/db/promotion/errant.ts';
import type { ServerState } from '../services/shared/db/promotion/plan.ts';
import { connectAsRoot, observe, q } from '../services/shared/db/promotion/promote.ts';
import { newestRecord, TOPOLOGY_TABLE } from '../services/shared/db/topology-record.ts';
import { rebuildFrom } from './rejoin/rebuild.ts';

const schema = {
  STACK_FILE: field(text(), defaultStackFile(process.env)),
  SERVICE: field(
    text(/^mysql-(primary|replica-\d+)$/, 'mysql-primary or mysql-replica-N'),
    'mysql-primary',
  ),
  REJOIN_REBUILD: field(boolean, false),
};
const CATCH_UP_SECONDS = 60;
const say = (line: string) => process.stdout.write(`rejoin: ${line}\n`);

async function main(): Promise<number> {
  const env = parseEnv(process.env, schema);
  const stack = readStackFile(env.STACK_FILE);
  const tier = dbTierOf(stack);
  const states: ServerState[] = await Promise.all(tier.servers.map((s) => observe(tier, s)));
  const record = newestRecord(states.map((s) => s.up && { serverId: s.serverId, ...s.up }));
  const writer = states.find((s) => s.serverId === record?.writerId && s.up !== undefined);
  const target = states.find((s) => s.name === env.SERVICE);
  if (record === undefined || writer === undefined)
    throw new Error('no writer answers: nothing to rejoin to');
  if (target?.up === undefined)
    throw new Error(
      `${env.SERVICE} does not answer: start it first (make start SERVICE=${env.SERVICE})`,
    );
  if (target.serverId === writer.serverId) throw new Error(`${env.SERVICE} is the writer`);
  say(
    `writer ${writer.name} (epoch ${record.epoch}); ${target.name} ${record.fencedIds.includes(target.serverId) ? 'is fenced' : 'is not fenced'}`,
  );

  const w = await connectAsRoot(tier, writer);
  const t = await connectAsRoot(tier, target);
  try {
    const [ws] = await q(w, 'SELECT @@gtid_binlog_state AS state, @@gtid_binlog_pos AS pos');
    const [ts] = await q(t, 'SELECT @@gtid_binlog_state AS state, @@gtid_binlog_pos AS pos');
    const errant = errantRanges(String(ts?.state ?? ''), String(ws?.state ?? ''));
    for (const r of errant)
      say(
        `errant: ${r.to - r.from + 1} transaction(s) ${r.domain}-${r.serverId}-${r.from}..${r.to} on ${target.name} never reached ${writer.name}`,
      );
    if (errant.length > 0 && !env.REJOIN_REBUILD) {
      say(
        `stopped: inspect them (mariadb-binlog on ${target.name}'s binlog), then REJOIN_REBUILD=true make rejoin SERVICE=${target.name} replaces its data with a copy of the writer's`,
      );
      return 1;
    }
    if (errant.length === 0) say('no errant transactions');
    let from: string;
    if (errant.length > 0) {
      say(
        `rebuilding ${target.name} from a copy of ${writer.name} (its errant transactions are dropped)`,
      );
      await rebuildFrom(tier, writer, { ...target, conn: t }, stack.mysql.database);
      const [pos] = await q(t, 'SELECT @@gtid_slave_pos AS pos');
      from = String(pos?.pos ?? '');
    } else {
      from = String(ts?.pos ?? '');
      await q(t, 'SET GLOBAL read_only = ON');
      await q(t, 'STOP SLAVE');
      await q(t, 'RESET SLAVE ALL');
      await q(t, 'SET GLOBAL gtid_slave_pos = ?', [from]);
    }
    await q(
      t,
      'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_CONNECT_RETRY = 2, MASTER_USE_GTID = slave_pos',
      [writer.host, writer.port, tier.replicationUser, tier.replicationPassword],
    );
    await q(t, 'START SLAVE');
    say(`${target.name} replicates from ${writer.name} after ${from || '(nothing)'}`);
    const [caught] = await q(
      t,
      'SELECT MASTER_GTID_WAIT(?, ?) AS r',
      [String(ws?.pos ?? ''), CATCH_UP_SECONDS],
      (CATCH_UP_SECONDS + 5) * 1000,
    );
    if (Number(caught?.r) !== 0) {
      const [slave] = await q(t, 'SHOW SLAVE STATUS');
      throw new Error(
        `${target.name} did not catch up within ${CATCH_UP_SECONDS} s: ${String(slave?.Last_IO_Error || slave?.Last_SQL_Error || 'still behind')}`,
      );
    }
    const fenced = record.fencedIds.filter((id) => id !== target.serverId);
    await q(
      w,
      `INSERT INTO ${TOPOLOGY_TABLE} (epoch, writer_id, fenced, reason) VALUES (?, ?, ?, ?)`,
      [record.epoch + 1, record.writerId, fenced.join(','), `make rejoin ${target.name}`],
    );
    say(
      `${target.name} caught up; epoch ${record.epoch + 1}: fenced ${fenced.join(',') || 'none'}`,
    );
    return 0;
  } finally {
    await Promise.all([w.end(), t.end()].map((p) => p.catch(() => undefined)));
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `rejoin: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`,
    );
    process.exitCode = 1;
  },
);
