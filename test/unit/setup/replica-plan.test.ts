import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planReplica } from '../../../services/setup/replica-plan.ts';
import type { SlaveStatus } from '../../../services/setup/slave-status.ts';

const wants = { primaryHost: '127.0.0.11', primaryPort: 8306, user: 'replicator', password: 'pw' };
const running: SlaveStatus = {
  masterHost: '127.0.0.11',
  masterPort: 8306,
  masterUser: 'replicator',
  ioRunning: 'Yes',
  sqlRunning: 'Yes',
  usingGtid: 'Slave_Pos',
  lastIoErrno: 0,
  lastIoError: '',
  lastSqlErrno: 0,
  lastSqlError: '',
  secondsBehindMaster: 0,
  gtidIoPos: '0-1-6',
};
const CHANGE =
  'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_CONNECT_RETRY = ?, MASTER_USE_GTID = slave_pos';

test('replica plans for each state', () => {
  const cases: [string, Parameters<typeof planReplica>[0], string[]][] = [
    ['never configured', { status: undefined, readOnly: true }, [CHANGE, 'START SLAVE']],
    ['already following, read-only', { status: running, readOnly: true }, []],
    ['writable replica', { status: running, readOnly: false }, ['SET GLOBAL read_only = ON']],
    [
      'following another primary',
      { status: { ...running, masterPort: 9306 }, readOnly: true },
      ['STOP SLAVE', CHANGE, 'START SLAVE'],
    ],
    [
      'file/position replication instead of GTID',
      { status: { ...running, usingGtid: 'No' }, readOnly: true },
      ['STOP SLAVE', CHANGE, 'START SLAVE'],
    ],
    [
      'replication password changed (access denied)',
      { status: { ...running, ioRunning: 'Connecting', lastIoErrno: 1045 }, readOnly: true },
      ['STOP SLAVE', CHANGE, 'START SLAVE'],
    ],
    [
      'stopped threads',
      { status: { ...running, ioRunning: 'No', sqlRunning: 'No' }, readOnly: true },
      ['START SLAVE'],
    ],
    [
      'still connecting is left alone',
      { status: { ...running, ioRunning: 'Connecting' }, readOnly: true },
      [],
    ],
  ];
  for (const [name, state, sqls] of cases)
    assert.deepEqual(
      planReplica(state, wants).map((s) => s.sql),
      sqls,
      name,
    );
});

test('CHANGE MASTER carries the primary and credentials as placeholders', () => {
  const change = planReplica({ status: undefined, readOnly: true }, wants)[0];
  assert.deepEqual(change?.params, ['127.0.0.11', 8306, 'replicator', 'pw', 2]);
  assert.ok(!change?.purpose.includes('pw'));
});
