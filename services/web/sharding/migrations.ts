/**
 * Schema that only a sharded stack (SHARDS above 1) needs, applied to the directory and to every
 * shard server after the common migrations (db/migrations.ts). Ids above 1000 keep clear of them.
 */
import { LOGICAL_SHARDS } from '../../shared/shard/shard-map.ts';
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
  {
    id: 1002,
    name: 'reshard: write fences, map version, jobs',
    statements: [
      // One row per logical shard on every shard server: a write to a logical shard first reads
      // its row under a shared lock (sharding/fence.ts). `make reshard` sets fenced = 1 on the
      // source (the UPDATE waits for the writes in flight), so after the map flips a web server
      // that has not re-read the map yet cannot write to the old copy.
      `CREATE TABLE IF NOT EXISTS shard_fence (
        logical_shard SMALLINT UNSIGNED NOT NULL PRIMARY KEY,
        fenced TINYINT UNSIGNED NOT NULL DEFAULT 0,
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB`,
      `INSERT IGNORE INTO shard_fence (logical_shard, fenced) SELECT seq, 0 FROM seq_0_to_${LOGICAL_SHARDS - 1}`,
      // The directory's map version: a reshard's flip bumps it in the transaction that moves rows.
      `CREATE TABLE IF NOT EXISTS shard_map_version (
        id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
        version INT UNSIGNED NOT NULL
      ) ENGINE=InnoDB`,
      'INSERT IGNORE INTO shard_map_version (id, version) VALUES (1, 1)',
      // `make reshard`'s progress (directory): a crashed run is resumed from its phase.
      `CREATE TABLE IF NOT EXISTS reshard_jobs (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        shards VARCHAR(1024) NOT NULL,
        source SMALLINT UNSIGNED NOT NULL,
        target SMALLINT UNSIGNED NOT NULL,
        phase VARCHAR(16) NOT NULL,
        snapshot_gtid VARCHAR(1024) NOT NULL DEFAULT '',
        map_version INT UNSIGNED NULL,
        rows_copied BIGINT UNSIGNED NOT NULL DEFAULT 0,
        pause_ms INT UNSIGNED NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB`,
    ],
  },
];
