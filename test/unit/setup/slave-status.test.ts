import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeStatus,
  isReplicating,
  parseSlaveStatus,
} from '../../../services/setup/slave-status.ts';

// A row as mysql2 returns SHOW SLAVE STATUS from MariaDB 10.11 (abridged to the fields read).
const row = {
  Slave_IO_State: 'Waiting for master to send event',
  Master_Host: '127.0.0.11',
  Master_User: 'replicator',
  Master_Port: 19306,
  Slave_IO_Running: 'Yes',
  Slave_SQL_Running: 'Yes',
  Seconds_Behind_Master: 0,
  Last_IO_Errno: 0,
  Last_IO_Error: '',
  Last_SQL_Errno: 0,
  Last_SQL_Error: '',
  Using_Gtid: 'Slave_Pos',
  Gtid_IO_Pos: '0-1-6',
};

test('no rows: replication never configured', () => {
  assert.equal(parseSlaveStatus([]), undefined);
  assert.equal(isReplicating(undefined), false);
  assert.equal(describeStatus(undefined), 'replication is not configured');
});

test('a running replica', () => {
  const s = parseSlaveStatus([row]);
  assert.deepEqual(s, {
    masterHost: '127.0.0.11',
    masterPort: 19306,
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
  });
  assert.equal(isReplicating(s), true);
});

test('a broken replica: numbers as strings, NULL lag, errors described', () => {
  const s = parseSlaveStatus([
    {
      ...row,
      Master_Port: '19306',
      Slave_IO_Running: 'Connecting',
      Slave_SQL_Running: 'No',
      Seconds_Behind_Master: null,
      Last_IO_Errno: 1045,
      Last_IO_Error: 'Access denied',
      Last_SQL_Errno: '1062',
      Last_SQL_Error: 'Duplicate entry',
    },
  ]);
  assert.equal(s?.masterPort, 19306);
  assert.equal(s?.secondsBehindMaster, null);
  assert.equal(isReplicating(s), false);
  assert.equal(
    describeStatus(s),
    'io=Connecting, sql=No, io error 1045: Access denied, sql error 1062: Duplicate entry',
  );
});

test('missing or odd fields are errors naming the field', () => {
  const { Using_Gtid: _, ...noGtid } = row;
  assert.throws(() => parseSlaveStatus([noGtid]), /Using_Gtid is missing/);
  assert.throws(
    () => parseSlaveStatus([{ ...row, Slave_IO_Running: 'Maybe' }]),
    /Slave_IO_Running/,
  );
  assert.throws(() => parseSlaveStatus([{ ...row, Master_Port: 'x' }]), /Master_Port/);
});
