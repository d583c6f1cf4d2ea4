/**
 * Schema that only a sharded stack (SHARDS above 1) needs, applied to the directory and to every
 * shard server after the common migrations (db/migrations.ts). Ids above 1000 keep clear of them.
 */
import type { Migration } from '../db/migrations.ts';

export const SHARDING_MIGRATIONS: readonly Migration[] = [
  {
    id: 1001,
    name: 'id sequence and shard map',
    statements: [
      // The low 10 bits of every id made on this server (sharding/ids.ts). CACHE keeps NEXTVAL
      // from writing the sequence table on every call.
      'CREATE SEQUENCE IF NOT EXISTS id_sequence CACHE 1000',
      // logical shard → physical shard server (0-based). Only the directory's copy is read.
      `CREATE TABLE IF NOT EXISTS shard_map (
        logical_shard SMALLINT UNSIGNED NOT NULL PRIMARY KEY,
        server SMALLINT UNSIGNED NOT NULL,
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB`,
    ],
  },
];
