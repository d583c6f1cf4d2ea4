/**
 * MasterSet's two-phase failback, on two stand-in targets (the order of its steps; the real
 * servers are in test/integration/e2e/master-master.test.ts): a master that answers again takes
 * its users back only once it has applied the other's position read after it was seen answering,
 * and a write that went to the other master instead holds its writes until it has that one too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DbTarget } from '../../../services/shared/db/target.ts';
import { MASTERS } from '../../../services/shared/topology/masters.ts';
import { MasterSet } from '../../../services/web/db/master-set.ts';

const domain = MASTERS[0].gtidDomainId;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A master: its binlog sequence (in its own domain) and what it applied of the other's. */
function standIn(name: string) {
  const state = { available: true, written: 0, applied: 0, waits: [] as string[] };
  const seqOf = (pos: string) => Number(pos.split('-')[2] ?? 0);
  const session = {
    async rows(sql: string, params: readonly unknown[] = []) {
      if (sql.includes('MASTER_GTID_WAIT')) {
        const pos = String(params[0]);
        state.waits.push(pos);
        if (state.applied >= seqOf(pos)) return [{ r: 0 }];
        await sleep(20);
        return [{ r: -1 }];
      }
      // The probe before two-phase failback read this; it says what the master has applied.
      if (sql.includes('gtid_current_pos')) return [{ pos: `${domain}-1-${state.applied}` }];
      return [{ 1: 1 }];
    },
  };
  const target = {
    name,
    get available() {
      return state.available;
    },
    withSession: <T>(work: (s: typeof session) => Promise<T>) => work(session),
    position: async () => `${domain}-1-${state.written}`,
  };
  return { state, target: target as unknown as DbTarget };
}

async function until(check: () => boolean, ms = 2000): Promise<boolean> {
  for (const end = performance.now() + ms; performance.now() < end; await sleep(5))
    if (check()) return true;
  return check();
}

test('failback waits for the position read after the master answers again, then holds after a write elsewhere', async () => {
  const a = standIn('mysql-primary');
  const b = standIn('mysql-primary-2');
  const set = new MasterSet([a.target, b.target], { probeIntervalMs: 500, downAfterMs: 200 });
  a.state.written = 10;
  b.state.applied = 10;
  await set.probe();
  assert.deepEqual(set.up(), [true, true]);

  // mysql-primary-2 down (its breaker open); its users write on mysql-primary meanwhile.
  b.state.available = false;
  await set.probe();
  assert.deepEqual(set.up(), [true, false]);
  a.state.written = 20;
  await set.probe();

  // Answering again, having applied less than mysql-primary has written now: still not used.
  b.state.available = true;
  b.state.applied = 15;
  await set.probe();
  await set.probe();
  await sleep(50);
  assert.equal(set.up()[1], false, 'behind the position read now: not taken back');
  assert.ok(b.state.waits.includes(`${domain}-1-20`), 'waited for the position read now');

  b.state.applied = 20;
  await set.probe();
  assert.ok(await until(() => set.up()[1] === true), 'caught up: taken back');
  await set.settled(1);

  // A write of its users went to mysql-primary (it refused before sending): held until applied.
  a.state.written = 25;
  set.wroteElsewhere(1, `${domain}-1-25`);
  let released = false;
  void set.settled(1).then(() => {
    released = true;
  });
  await sleep(30);
  assert.equal(released, false, 'its writes wait for the write made elsewhere');
  b.state.applied = 25;
  assert.ok(await until(() => released), 'released once applied');
});
