/**
 * `archive_files`: which object-store files hold archived posts (`make archive`), on the same
 * server the posts left. A file is `uploading` from before its upload until the transaction that
 * deletes its rows from `posts` marks it `done`; only `done` files are read. Ids above 2000 keep
 * clear of the other migration lists.
 */
import type { Migration } from './migrations.ts';

export const ARCHIVE_MIGRATIONS: readonly Migration[] = [
  {
    id: 2001,
    name: 'archive files',
    statements: [
      `CREATE TABLE IF NOT EXISTS archive_files (
        object_key VARCHAR(255) NOT NULL PRIMARY KEY,
        day DATE NOT NULL,
        first_id BIGINT UNSIGNED NOT NULL,
        last_id BIGINT UNSIGNED NOT NULL,
        row_count INT UNSIGNED NOT NULL,
        bytes INT UNSIGNED NOT NULL,
        state ENUM('uploading', 'done') NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY idx_archive_range (state, first_id, last_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    ],
  },
];
