/**
 * Applies pending migrations on the primary. Several web servers start at once, so the run is
 * serialised with a named lock; each migration is recorded only after all its statements ran.
 */

import type { DbTarget, Row } from '../../shared/db/target.ts';
import { waitUntil } from '../../shared/wait-until.ts';
import type { Migration } from './migrations.ts';

/** Per database: servers of different databases on one MariaDB need not wait for each other. */
export const MIGRATION_LOCK = "CONCAT('scaling_lab.migrate.', DATABASE())";
const LOCK_WAIT_SECONDS = 60;

interface MigrationLog {
  info(details: object, message: string): void;
}

export async function migrate(
  primary: DbTarget,
  migrations: readonly Migration[],
  log: MigrationLog,
): Promise<number[]> {
  return primary.withSession(async (s) => {
    // Polled without waiting inside the server: a blocking GET_LOCK would outlast the pool's
    // per-query timeout while another server runs the migrations.
    await waitUntil(
      async () => {
        const [lock] = await s.rows<Row & { ok: number | null }>(
          `SELECT GET_LOCK(${MIGRATION_LOCK}, 0) AS ok`,
        );
        if (lock?.ok !== 1) throw new Error('another server holds it');
      },
      { timeoutMs: LOCK_WAIT_SECONDS * 1000, intervalMs: 250, what: 'the migration lock' },
    );
    try {
      await s.write(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
          id INT UNSIGNED NOT NULL PRIMARY KEY,
          name VARCHAR(200) NOT NULL,
          applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
        ) ENGINE=InnoDB`,
      );
      const done = new Set(
        (await s.rows<Row & { id: number }>('SELECT id FROM schema_migrations')).map((r) => r.id),
      );
      const applied: number[] = [];
      for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
        if (done.has(migration.id)) continue;
        for (const statement of migration.statements) {
          if (typeof statement === 'string') await s.write(statement);
          else await s.write(statement.sql, statement.params);
        }
        await s.write('INSERT INTO schema_migrations (id, name) VALUES (?, ?)', [
          migration.id,
          migration.name,
        ]);
        log.info({ migration: migration.id, name: migration.name }, 'migration applied');
        applied.push(migration.id);
      }
      return applied;
    } finally {
      // A failed release must not hide the error that ended the run; the lock dies with the session.
      await s.rows(`SELECT RELEASE_LOCK(${MIGRATION_LOCK})`).catch(() => undefined);
    }
  });
}
