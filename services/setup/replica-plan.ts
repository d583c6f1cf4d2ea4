/**
 * What the setup service must do on one replica, decided from its SHOW SLAVE STATUS and read_only.
 * Pure. A replica already following the right primary with GTID, both threads running and
 * read-only, gets no statements.
 */
import type { SlaveStatus } from './slave-status.ts';
import { type Statement, statement } from './statement.ts';

export interface ReplicaState {
  readonly status: SlaveStatus | undefined;
  readonly readOnly: boolean;
}

export interface ReplicaWants {
  readonly primaryHost: string;
  readonly primaryPort: number;
  readonly user: string;
  readonly password: string;
  /**
   * false for a master that also replicates (DB_TOPOLOGY=master-master): it follows the other
   * master but stays writable. Default true: a read replica.
   */
  readonly readOnly?: boolean;
}

/** ER_ACCESS_DENIED_ERROR: the replication password changed since the replica was pointed. */
const ACCESS_DENIED = 1045;
const CONNECT_RETRY_SECONDS = 2;

function pointsAtPrimary(s: SlaveStatus, wants: ReplicaWants): boolean {
  return (
    s.masterHost === wants.primaryHost &&
    s.masterPort === wants.primaryPort &&
    s.masterUser === wants.user &&
    s.usingGtid === 'Slave_Pos' &&
    s.lastIoErrno !== ACCESS_DENIED
  );
}

export function planReplica(state: ReplicaState, wants: ReplicaWants): Statement[] {
  const out: Statement[] = [];
  const readOnly = wants.readOnly ?? true;
  if (readOnly && !state.readOnly)
    out.push(statement('make the replica read-only', 'SET GLOBAL read_only = ON'));
  if (!readOnly && state.readOnly)
    out.push(statement('keep the master writable', 'SET GLOBAL read_only = OFF'));
  const s = state.status;
  if (s === undefined || !pointsAtPrimary(s, wants)) {
    if (s !== undefined) out.push(statement('stop replication', 'STOP SLAVE'));
    out.push(
      statement(
        `point the ${readOnly ? 'replica' : 'master'} at ${wants.primaryHost}:${wants.primaryPort} (GTID slave_pos)`,
        'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_CONNECT_RETRY = ?, MASTER_USE_GTID = slave_pos',
        [wants.primaryHost, wants.primaryPort, wants.user, wants.password, CONNECT_RETRY_SECONDS],
      ),
    );
    out.push(statement('start replication', 'START SLAVE'));
  } else if (s.ioRunning === 'No' || s.sqlRunning === 'No') {
    out.push(statement('start replication', 'START SLAVE'));
  }
  return out;
}
