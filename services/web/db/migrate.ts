/**
 * Applies pending migrations on the primary. Several web servers start at once, so the run is
 * serialised with a named lock; each migration is recorded only after all its statements ran.
 */
import type { Migration } from './migrations.ts';
import type { DbTarget, Row } from './target.ts';

const LOCK_NAME = 'scaling_lab.migrate';
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
    const [lock] = await s.rows<Row & { ok: number | null }>('SELECT GET_LOCK(?, ?) AS ok', [
      LOCK_NAME,
      LOCK_WAIT_SECONDS,
    ]);
    if (lock?.ok !== 1)
      throw new Error(`could not take the migration lock within ${LOCK_WAIT_SECONDS} s`);
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
      await s.rows('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  });
}
