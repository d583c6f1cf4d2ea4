/**
 * Brings the posts table to POSTS_ENGINE at start-up, after the migrations and under the same lock
 * (several web servers start at once; the first converts, the others find it done). The ALTERs
 * replicate, so the replicas convert too. A conversion away from InnoDB is logged as a warning
 * saying what the engine gives up (ENGINE_WARNINGS).
 */
import { ENGINE_WARNINGS, type PostsEngine } from '../../shared/config/flags.ts';
import type { DbTarget, Row } from '../../shared/db/target.ts';
import { waitUntil } from '../../shared/wait-until.ts';
import { POSTS_FOREIGN_KEY, planPostsEngine } from './engine-plan.ts';
import { MIGRATION_LOCK } from './migrate.ts';

interface EngineLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

const LOCK_WAIT_MS = 60_000;
/** A conversion copies the whole table: far longer than an ordinary statement may take. */
const CONVERT_TIMEOUT_MS = 30 * 60_000;

export async function ensurePostsEngine(
  primary: DbTarget,
  wanted: PostsEngine,
  log: EngineLog,
): Promise<string[]> {
  return primary.withSession(async (s, conn) => {
    await waitUntil(
      async () => {
        const [lock] = await s.rows<Row & { ok: number | null }>(
          `SELECT GET_LOCK(${MIGRATION_LOCK}, 0) AS ok`,
        );
        if (lock?.ok !== 1) throw new Error('another server holds it');
      },
      { timeoutMs: LOCK_WAIT_MS, intervalMs: 250, what: 'the migration lock' },
    );
    try {
      const [table] = await s.rows<Row & { engine: string; n: number }>(
        `SELECT ENGINE AS engine, TABLE_ROWS AS n FROM information_schema.TABLES
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'posts'`,
      );
      const [fk] = await s.rows<Row & { n: number }>(
        `SELECT COUNT(*) AS n FROM information_schema.TABLE_CONSTRAINTS
         WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'posts' AND CONSTRAINT_NAME = ?`,
        [POSTS_FOREIGN_KEY],
      );
      const plan = planPostsEngine(
        { engine: table?.engine, hasForeignKey: Number(fk?.n) > 0 },
        wanted,
      );
      if (plan.length === 0) return [];
      const warning = ENGINE_WARNINGS[wanted];
      const details = { from: table?.engine, to: wanted, rows: Number(table?.n ?? 0) };
      if (warning !== undefined) log.warn(details, `converting posts: ${warning}`);
      else log.info(details, 'converting posts');
      const [limit] = await s.rows<Row & { t: number }>('SELECT @@SESSION.max_statement_time AS t');
      await conn.query('SET SESSION max_statement_time = 0');
      try {
        for (const sql of plan) await conn.query({ sql, timeout: CONVERT_TIMEOUT_MS });
      } finally {
        await conn.query('SET SESSION max_statement_time = ?', [Number(limit?.t ?? 0)]);
      }
      log.info({ engine: wanted, statements: plan.length }, 'posts converted');
      return plan;
    } finally {
      await s.rows(`SELECT RELEASE_LOCK(${MIGRATION_LOCK})`).catch(() => undefined);
    }
  });
}
