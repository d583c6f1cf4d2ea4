/**
 * One MariaDB server as the app sees it: a pool (pool.ts) with explicit connect, acquire and query
 * timeouts, a bounded wait queue, a circuit breaker, and hooks for metrics. Statements always go
 * through placeholders. Only `down` failures (errors.ts) count towards the breaker: a busy server
 * answers 503 but stays in use.
 */
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise';
import { Breaker } from '../breaker.ts';
import { withDeadline } from '../deadline.ts';
import { DbUnavailableError, dbFailureOf } from './errors.ts';
import {
  CLIENT_GRACE_MS,
  type DbObserver,
  openPool,
  type Param,
  type PoolOptions,
  QUEUE_FULL,
  type Row,
  type Session,
  sessionOn,
} from './pool.ts';

export type { DbObserver, Param, Row, Session };

export interface TargetOptions extends PoolOptions {
  readonly name: string;
  readonly role: 'primary' | 'replica';
  readonly acquireTimeoutMs: number;
  readonly observer: DbObserver;
}

/** What a committed transaction returns: its value and the GTIDs to read it back by. */
export interface Committed<T> {
  readonly value: T;
  /** @@last_gtid: this transaction's GTID when it wrote anything ('' when it did not). */
  readonly lastGtid: string;
  /** @@gtid_binlog_pos right after the commit: at or past every transaction committed so far. */
  readonly position: string;
}

interface SessionOptions {
  /** Acquire deadline (default: MYSQL_ACQUIRE_TIMEOUT_MS). */
  readonly acquireMs?: number;
}

export class DbTarget {
  readonly name: string;
  readonly role: 'primary' | 'replica';
  readonly #pool: Pool;
  readonly #options: TargetOptions;
  readonly #replyTimeoutMs: number;
  readonly #breaker = new Breaker({ threshold: 3, openMs: 1000 });

  constructor(options: TargetOptions) {
    this.name = options.name;
    this.role = options.role;
    this.#options = options;
    this.#replyTimeoutMs = options.queryTimeoutMs + CLIENT_GRACE_MS;
    this.#pool = openPool(options);
  }

  /** False while the breaker is open: callers should prefer another target. */
  get available(): boolean {
    return this.#breaker.state !== 'open';
  }

  rows<T extends Row = Row>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    return this.withSession((s) => s.rows<T>(sql, params));
  }

  write(sql: string, params: readonly Param[] = []): Promise<ResultSetHeader> {
    return this.withSession((s) => s.write(sql, params));
  }

  /** Runs `work` in a transaction on one connection: committed if it resolves, rolled back if not. */
  async transaction<T>(work: (tx: Session) => Promise<T>): Promise<T> {
    return this.withSession(async (session, conn) => this.#inTransaction(session, conn, work));
  }

  /** A transaction that also says the GTIDs to read its writes back by (read-your-writes). */
  committed<T>(work: (tx: Session) => Promise<T>): Promise<Committed<T>> {
    return this.withSession(async (session, conn) => {
      const value = await this.#inTransaction(session, conn, work);
      const [row] = await session.rows<Row & { last: string | null; pos: string | null }>(
        'SELECT @@SESSION.last_gtid AS last, @@GLOBAL.gtid_binlog_pos AS pos',
      );
      return { value, lastGtid: row?.last ?? '', position: row?.pos ?? '' };
    });
  }

  /**
   * @@gtid_binlog_pos, or undefined when the server cannot say within `deadlineMs` (down, paused,
   * busy). Missing the deadline is not a failure; the statement's own outcome is judged as usual.
   */
  async position(deadlineMs: number): Promise<string | undefined> {
    const ask = this.withSession(
      async (s) => {
        const [row] = await s.rows<Row & { pos: string | null }>(
          'SELECT @@GLOBAL.gtid_binlog_pos AS pos',
        );
        return row?.pos ?? '';
      },
      { acquireMs: deadlineMs },
    );
    return withDeadline(ask, deadlineMs).catch(() => undefined);
  }

  async withSession<T>(
    work: (session: Session, conn: PoolConnection) => Promise<T>,
    options: SessionOptions = {},
  ): Promise<T> {
    const conn = await this.#acquire(options.acquireMs ?? this.#options.acquireTimeoutMs);
    let broken = false;
    try {
      const session = sessionOn(conn, this.name, this.#replyTimeoutMs, this.#options.observer);
      const result = await work(session, conn);
      this.#breaker.succeeded();
      return result;
    } catch (error) {
      const failure = dbFailureOf(error);
      broken = failure === 'down' || (error as { fatal?: unknown }).fatal === true;
      if (failure === 'down') this.#breaker.failed();
      else this.#breaker.released();
      if (failure === undefined || error instanceof DbUnavailableError) throw error;
      throw new DbUnavailableError(this.name, failure, 'query failed', { cause: error });
    } finally {
      this.#options.observer.inUse(this.name, -1);
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #inTransaction<T>(
    session: Session,
    conn: PoolConnection,
    work: (tx: Session) => Promise<T>,
  ): Promise<T> {
    // conn.query with a reply timeout: beginTransaction() and commit() have none, and would wait
    // forever on a paused server.
    const control = (sql: string) => conn.query({ sql, timeout: this.#replyTimeoutMs });
    await control('START TRANSACTION');
    try {
      const value = await work(session);
      await control('COMMIT');
      return value;
    } catch (error) {
      await control('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async #acquire(deadlineMs: number): Promise<PoolConnection> {
    if (!this.#breaker.allow())
      throw new DbUnavailableError(this.name, 'down', 'circuit open after repeated failures', {
        unsent: true,
      });
    const start = performance.now();
    const pending = this.#pool.getConnection();
    // A connect that fails after the deadline still says the server is down.
    pending.catch((error: unknown) => {
      if (dbFailureOf(error) === 'down') this.#breaker.failed();
    });
    try {
      const conn = await withDeadline(pending, deadlineMs, () => {
        pending.then(
          (late) => late.release(),
          () => undefined,
        );
        return new DbUnavailableError(this.name, 'busy', `no connection within ${deadlineMs} ms`, {
          unsent: true,
        });
      });
      this.#options.observer.acquired(this.name, (performance.now() - start) / 1000);
      this.#options.observer.inUse(this.name, 1);
      return conn;
    } catch (error) {
      const failure = (error as Error).message === QUEUE_FULL ? 'full' : dbFailureOf(error);
      // A `down` connect failure was counted above; anything else ends a half-open trial unjudged.
      if (failure !== 'down') this.#breaker.released();
      if (error instanceof DbUnavailableError) throw error;
      throw new DbUnavailableError(this.name, failure ?? 'down', 'no connection', {
        cause: error,
        unsent: true,
      });
    }
  }
}
