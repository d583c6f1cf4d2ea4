/** The writer decision from the topology record, and which replica `make promote` picks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  mostOf,
  planPromotion,
  type ServerState,
} from '../../../services/shared/db/promotion/plan.ts';
import {
  decideWriter,
  gtidAhead,
  type Observation,
  parseRecord,
} from '../../../services/shared/db/topology-record.ts';

const start = { writer: 0, fenced: new Set<number>(), epoch: 0 };
const obs = (serverId: number, rec?: string, readOnly = true): Observation => ({
  serverId,
  readOnly,
  record: parseRecord(rec),
});

test('without any record the configured primary writes', () => {
  assert.equal(
    decideWriter([obs(1, undefined, false), obs(2), obs(3)], new Map(), start).writer,
    0,
  );
});

test('the newest epoch wins; the old primary back with its old record is fenced', () => {
  const d = decideWriter(
    [obs(1, '1:1:', false), obs(2, '2:2:1', false), obs(3, '2:2:1')],
    new Map(),
    start,
  );
  assert.equal(d.writer, 1);
  assert.deepEqual([...d.fenced], [0]);
  assert.equal(d.epoch, 2);
});

test('a writer that is down right now is still known by the id it reported before', () => {
  const known = new Map([
    [0, 1],
    [1, 2],
    [2, 3],
  ]);
  const d = decideWriter([undefined, undefined, obs(3, '2:2:1')], known, start);
  assert.equal(d.writer, 1);
});

test('an older record never moves the writer back', () => {
  const now = { writer: 1, fenced: new Set([0]), epoch: 2 };
  assert.deepEqual(decideWriter([obs(1, '1:1:', false)], new Map(), now), now);
});

const server = (
  name: string,
  serverId: number,
  gtid?: string,
  received = '',
  rec = '1:1:',
): ServerState => ({
  name,
  host: '127.0.0.1',
  port: 3306 + serverId,
  serverId,
  ...(gtid === undefined
    ? {}
    : { up: { readOnly: true, gtid, received, record: parseRecord(rec) } }),
});

test('promote picks the most advanced reachable replica and fences the old primary', () => {
  const p = planPromotion([
    server('mysql-primary', 1),
    server('mysql-replica-1', 2, '0-1-40'),
    server('mysql-replica-2', 3, '0-1-47'),
  ]);
  assert.equal(p.candidate.name, 'mysql-replica-2');
  assert.deepEqual(p.next, { epoch: 2, writerId: 3, fencedIds: [1] });
  assert.deepEqual(
    p.followers.map((f) => f.name),
    ['mysql-replica-1'],
  );
  assert.equal(gtidAhead('0-1-47', '0-1-40'), 7);
});

test('promote ranks replicas by what they received, not only by what they applied', () => {
  // replica-1 applied less but its relay log holds more: with semi-sync the primary's last
  // acknowledged commits may be only there.
  const p = planPromotion([
    server('mysql-primary', 1),
    server('mysql-replica-1', 2, '0-1-40', '0-1-52'),
    server('mysql-replica-2', 3, '0-1-47', '0-1-47'),
  ]);
  assert.equal(p.candidate.name, 'mysql-replica-1');
  assert.equal(mostOf('0-1-40', '0-1-52'), '0-1-52');
  assert.equal(mostOf('0-1-40', ''), '0-1-40');
});

test('promote refuses when no replica answers', () => {
  assert.throws(
    () => planPromotion([server('mysql-primary', 1), server('mysql-replica-1', 2)]),
    /no replica answers/,
  );
});
