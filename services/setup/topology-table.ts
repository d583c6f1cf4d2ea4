/**
 * The topology record's table (services/shared/db/topology-record.ts), made once on the primary and
 * replicated to every server: epoch 1 names the primary as the writer. Pure: nothing when the table
 * is already there (a re-run writes nothing, not even to the binlog).
 */
import { CONTROL_DATABASE, TOPOLOGY_TABLE } from '../shared/db/topology-record.ts';
import { type Statement, statement } from './statement.ts';

export const TOPOLOGY_DDL = `CREATE TABLE IF NOT EXISTS ${TOPOLOGY_TABLE} (
  epoch INT UNSIGNED NOT NULL PRIMARY KEY,
  writer_id INT UNSIGNED NOT NULL,
  fenced VARCHAR(255) NOT NULL DEFAULT '',
  reason VARCHAR(255) NOT NULL DEFAULT '',
  changed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB`;

export function planTopologyTable(exists: boolean, primaryServerId: number): Statement[] {
  if (exists) return [];
  return [
    statement(
      `create ${CONTROL_DATABASE}`,
      `CREATE DATABASE IF NOT EXISTS ${CONTROL_DATABASE} CHARACTER SET utf8mb4`,
    ),
    statement('create the topology record table', TOPOLOGY_DDL),
    statement(
      'record epoch 1: the primary writes',
      `INSERT IGNORE INTO ${TOPOLOGY_TABLE} (epoch, writer_id, reason) VALUES (1, ?, 'setup')`,
      [primaryServerId],
    ),
  ];
}
