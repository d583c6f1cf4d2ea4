/**
 * POSTS_ENGINE: what it takes to bring the posts table to the chosen storage engine. Pure: the
 * observed engine and foreign key in, the statements out; nothing when the table is already right.
 *
 * MariaDB refuses to change the engine of a table that still has a foreign key (error 1217), and
 * only InnoDB keeps one, so leaving InnoDB drops fk_posts_user first and coming back adds it again
 * (which fails, and stops the start, if a post's author has gone meanwhile).
 */
import type { PostsEngine } from '../../shared/config/flags.ts';

export interface PostsTableState {
  /** information_schema.TABLES.ENGINE (undefined: no posts table yet). */
  readonly engine: string | undefined;
  readonly hasForeignKey: boolean;
}

export const POSTS_FOREIGN_KEY = 'fk_posts_user';

export function planPostsEngine(state: PostsTableState, wanted: PostsEngine): string[] {
  if (state.engine === undefined) return [];
  const out: string[] = [];
  const same = state.engine.toLowerCase() === wanted.toLowerCase();
  if (wanted !== 'InnoDB') {
    if (state.hasForeignKey) out.push(`ALTER TABLE posts DROP FOREIGN KEY ${POSTS_FOREIGN_KEY}`);
    if (!same) out.push(`ALTER TABLE posts ENGINE=${wanted}`);
    return out;
  }
  if (!same) out.push('ALTER TABLE posts ENGINE=InnoDB');
  if (!state.hasForeignKey)
    out.push(
      `ALTER TABLE posts ADD CONSTRAINT ${POSTS_FOREIGN_KEY} FOREIGN KEY (user_id) REFERENCES users (id)`,
    );
  return out;
}

/** What each engine keeps of the notes' claims, for the README, the logs and the benchmark. */
export const ENGINE_FACTS: Readonly<
  Record<
    PostsEngine,
    { locks: string; transactions: boolean; foreignKeys: boolean; crashSafe: string }
  >
> = {
  InnoDB: { locks: 'row', transactions: true, foreignKeys: true, crashSafe: 'yes (redo log)' },
  MyISAM: {
    locks: 'table',
    transactions: false,
    foreignKeys: false,
    crashSafe: 'no (may need REPAIR)',
  },
  Aria: { locks: 'table', transactions: false, foreignKeys: false, crashSafe: 'yes (its log)' },
  MEMORY: {
    locks: 'table',
    transactions: false,
    foreignKeys: false,
    crashSafe: 'no: empty after any restart',
  },
  ARCHIVE: {
    locks: 'row (inserts only)',
    transactions: false,
    foreignKeys: false,
    crashSafe: 'buffered inserts can be lost',
  },
};
