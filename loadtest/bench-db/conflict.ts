/**
 * The conflict the notes warn about, shown on the two masters of DB_TOPOLOGY=master-master with
 * root connections (bypassing the app's pinning), in a throwaway database:
 *
 * - the same row updated on both masters at the same time: each master applies the other's
 *   update after its own, so they end with each other's value and replication runs on, silently
 *   diverged;
 * - the same unique value inserted on both: replication stops on both sides with a duplicate key
 *   (1062) until someone repairs it;
 * - pinned (both updates sent to one master, as the app does with a user's writes): both masters
 *   end with the same value.
 *
 * "At the same time" is made deterministic by holding each master's SQL thread while the writes
 * happen (what any replication lag does); the lag on a busy machine is often longer.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { inDomain } from '../../services/setup/gtid-domain.ts';
import { MASTERS } from '../../services/shared/topology/masters.ts';

export interface ConflictResult {
  /** The row's value on each master after both updated it at the same time. */
  readonly concurrent: readonly [string, string];
  /** The same after both updates went to the one master the row is pinned to. */
  readonly pinned: readonly [string, string];
  /** The same unique value inserted on both: each master's replication error (0: none). */
  readonly duplicateErrno: readonly [number, number];
  /** Replication running on both again after the repair (the conflicting events skipped). */
  readonly repaired: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WAIT_SECONDS = 20;

async function one(
  db: Connection,
  sql: string,
  values: unknown[] = [],
): Promise<Record<string, unknown>> {
  const [rows] = await db.query<RowDataPacket[]>({ sql, timeout: 30_000 }, values);
  return rows[0] ?? {};
}

/** Waits until `follower` has applied everything `source` wrote in its own GTID domain. */
async function caughtUp(source: Connection, follower: Connection, domain: number): Promise<void> {
  const pos = inDomain(
    String((await one(source, 'SELECT @@gtid_binlog_pos AS p')).p ?? ''),
    domain,
  );
  if (pos === '') return;
  const r = await one(follower, 'SELECT MASTER_GTID_WAIT(?, ?) AS r', [pos, WAIT_SECONDS]);
  if (Number(r.r) !== 0) throw new Error(`a master did not apply ${pos} in ${WAIT_SECONDS} s`);
}

async function both(masters: readonly [Connection, Connection], sql: string): Promise<void> {
  await Promise.all(masters.map((m) => m.query(sql)));
}

async function sync(masters: readonly [Connection, Connection]): Promise<void> {
  await caughtUp(masters[0], masters[1], MASTERS[0].gtidDomainId);
  await caughtUp(masters[1], masters[0], MASTERS[1].gtidDomainId);
}

async function sqlError(db: Connection): Promise<{ running: boolean; errno: number }> {
  const s = await one(db, 'SHOW SLAVE STATUS');
  return { running: s.Slave_SQL_Running === 'Yes', errno: Number(s.Last_SQL_Errno ?? 0) };
}

/** Runs the three demonstrations on `masters` ([mysql-primary, mysql-primary-2], as root). */
export async function demonstrateConflict(
  masters: readonly [Connection, Connection],
  say: (line: string) => void = () => {},
): Promise<ConflictResult> {
  const [a, b] = masters;
  const schema = `scaling_lab_conflict_${Date.now().toString(36)}`;
  const table = `${schema}.demo`;
  await a.query(`CREATE DATABASE ${schema}`);
  await a.query(
    `CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64) NOT NULL, u VARCHAR(64) NULL UNIQUE) ENGINE=InnoDB`,
  );
  await a.query(`INSERT INTO ${table} (id, v) VALUES (1, 'start'), (3, 'start')`);
  await sync(masters);
  const value = async (db: Connection, id: number) =>
    String((await one(db, `SELECT v FROM ${table} WHERE id = ?`, [id])).v);

  // 1. The same row, updated on both at the same time.
  await both(masters, 'STOP SLAVE SQL_THREAD');
  await Promise.all([
    a.query(`UPDATE ${table} SET v = 'written on mysql-primary' WHERE id = 1`),
    b.query(`UPDATE ${table} SET v = 'written on mysql-primary-2' WHERE id = 1`),
  ]);
  await both(masters, 'START SLAVE SQL_THREAD');
  await sync(masters);
  const concurrent = [await value(a, 1), await value(b, 1)] as const;
  say(
    `same row updated on both: mysql-primary has "${concurrent[0]}", mysql-primary-2 "${concurrent[1]}"`,
  );

  // 2. Pinned: both writers' updates go to the row's master (mysql-primary).
  await both(masters, 'STOP SLAVE SQL_THREAD');
  await Promise.all([
    a.query(`UPDATE ${table} SET v = 'first writer' WHERE id = 3`),
    a.query(`UPDATE ${table} SET v = 'second writer' WHERE id = 3`),
  ]);
  await both(masters, 'START SLAVE SQL_THREAD');
  await sync(masters);
  const pinned = [await value(a, 3), await value(b, 3)] as const;
  say(`pinned to one master: mysql-primary has "${pinned[0]}", mysql-primary-2 "${pinned[1]}"`);

  // 3. The same unique value inserted on both: ids differ (offsets), the unique key does not.
  await both(masters, 'STOP SLAVE SQL_THREAD');
  await a.query(`INSERT INTO ${table} (v, u) VALUES ('on mysql-primary', 'the same name')`);
  await b.query(`INSERT INTO ${table} (v, u) VALUES ('on mysql-primary-2', 'the same name')`);
  await both(masters, 'START SLAVE SQL_THREAD');
  let states = [await sqlError(a), await sqlError(b)];
  for (let i = 0; i < 100 && states.some((s) => s.running); i++) {
    await sleep(100);
    states = [await sqlError(a), await sqlError(b)];
  }
  const duplicateErrno = [states[0]?.errno ?? 0, states[1]?.errno ?? 0] as const;
  say(
    `same unique value on both: replication errors ${duplicateErrno.join(' / ')} (1062: duplicate key)`,
  );

  // Repair: skip the conflicting event on each side, drop the throwaway database.
  for (const m of masters) {
    if ((await sqlError(m)).running) continue;
    await m.query('STOP SLAVE');
    await m.query('SET GLOBAL sql_slave_skip_counter = 1');
    await m.query('START SLAVE');
  }
  await a.query(`DROP DATABASE ${schema}`);
  await sync(masters);
  const after = [await sqlError(a), await sqlError(b)];
  return { concurrent, pinned, duplicateErrno, repaired: after.every((s) => s.running) };
}
