/** The db-monitor's round: wait, promote after DB_FAILOVER_AFTER_MS, fence a second writer. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide } from '../../../services/db-monitor/decide.ts';
import type { ServerState } from '../../../services/shared/db/promotion/plan.ts';
import { parseRecord } from '../../../services/shared/db/topology-record.ts';

const server = (
  name: string,
  serverId: number,
  up?: { ro: boolean; rec?: string },
): ServerState => ({
  name,
  host: '127.0.0.1',
  port: 3306 + serverId,
  serverId,
  ...(up === undefined
    ? {}
    : {
        up: { readOnly: up.ro, gtid: '0-1-5', received: '', record: parseRecord(up.rec ?? '1:1:') },
      }),
});
const AFTER = 10_000;

test('a writer that answers is healthy and resets the clock', () => {
  const r = decide(
    [server('mysql-primary', 1, { ro: false }), server('mysql-replica-1', 2, { ro: true })],
    { writerDownSince: 5 },
    100,
    AFTER,
  );
  assert.equal(r.decision.kind, 'healthy');
  assert.equal(r.state.writerDownSince, undefined);
  assert.deepEqual(r.fence, []);
});

test('a writer down for less than DB_FAILOVER_AFTER_MS is waited for, then a replica is promoted', () => {
  const servers = [server('mysql-primary', 1), server('mysql-replica-1', 2, { ro: true })];
  const first = decide(servers, { writerDownSince: undefined }, 1000, AFTER);
  assert.deepEqual(first.decision, { kind: 'waiting', writer: 'mysql-primary', downForMs: 0 });
  const later = decide(servers, first.state, 1000 + AFTER - 1, AFTER);
  assert.equal(later.decision.kind, 'waiting');
  const due = decide(servers, later.state, 1000 + AFTER, AFTER);
  assert.deepEqual(due.decision, { kind: 'promote', writer: 'mysql-primary', downForMs: AFTER });
});

test('no promotion without a replica that answers and is not fenced', () => {
  const servers = [
    server('mysql-primary', 1),
    server('mysql-replica-1', 2, { ro: true, rec: '2:3:2' }),
    server('mysql-replica-2', 3),
  ];
  // Epoch 2: replica-2 writes (down), replica-1 is fenced.
  const r = decide(servers, { writerDownSince: 0 }, AFTER, AFTER);
  assert.equal(r.decision.kind, 'stuck');
});

test('an old primary that came back writable is fenced; the record decides who writes', () => {
  const servers = [
    server('mysql-primary', 1, { ro: false, rec: '1:1:' }),
    server('mysql-replica-1', 2, { ro: false, rec: '2:2:1' }),
    server('mysql-replica-2', 3, { ro: true, rec: '2:2:1' }),
  ];
  const r = decide(servers, { writerDownSince: undefined }, 0, AFTER);
  assert.deepEqual(r.decision, { kind: 'healthy', writer: 'mysql-replica-1' });
  assert.deepEqual(
    r.fence.map((s) => s.name),
    ['mysql-primary'],
  );
});

test('without any topology record nothing is decided', () => {
  assert.equal(
    decide([server('mysql-primary', 1)], { writerDownSince: undefined }, 0, AFTER).decision.kind,
    'stuck',
  );
});
