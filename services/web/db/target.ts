/**
 * One MariaDB server as the app sees it: a mysql2 pool with explicit connect, acquire and query
 * timeouts, a bounded wait queue, a circuit breaker, and hooks for metrics. Statements always go
 * through placeholders.
 *
 * Timeouts stop work on the server, not only in the client: every connection runs with
 * max_statement_time = the query timeout, so a statement that runs (or waits for a lock) too long
 * is ended by MariaDB itself and answered as `busy`. The client waits CLIENT_GRACE_MS longer before
 * it gives up on a server that does not answer at all (paused, cut off): that one is `down`.
 * Only `down` failures count towards the breaker.
 */
import {
  createPool,
  type Pool,
  type PoolConnection,
  type ResultSetHeader,
  type RowDataPacket,
} from 'mysql2/promise';
import { Breaker } from '../../shared/breaker.ts';
import { DbUnavailableError, dbFailureOf } from './errors.ts';

export type Param = string | number | bigint | boolean | Date | Buffer | null;
export type Row = RowDataPacket;

export interface DbObserver {
  query(target: string, seconds: number, outcome: 'ok' | 'error' | 'unavailable'): void;
  acquired(target: string, waitSeconds: number): void;
  inUse(target: string, delta: 1 | -1): void;
}

export interface TargetOptions {
  readonly name: string;
  readonly role: 'primary' | 'replica';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly poolSize: number;
  /** Requests waiting for a pooled connection beyond which new ones are refused at once (tools
   * may leave it unbounded). */
  readonly queueLimit?: number;
  readonly connectTimeoutMs: number;
  readonly acquireTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly observer: DbObserver;
}

/** Statements on one connection: a transaction, or a sequence that must share a session. */
export interface Session {
  rows<T extends Row = Row>(sql: string, params?: readonly Param[]): Promise<T[]>;
  write(sql: string, params?: readonly Param[]): Promise<ResultSetHeader>;
}

/** What a committed transaction returns: its value and the GTIDs to read it back by. */
export interface Committed<T> {
  readonly value: T;
  /** @@last_gtid: this transaction's GTID when it wrote anything ('' when it did not). */
  readonly lastGtid: string;
  /** @@gtid_binlog_pos right after the commit: at or past every transaction committed so far. */
  readonly position: string;
}

/** How long the client waits past the server's own statement limit before calling it down. */
export const CLIENT_GRACE_MS = 1000;
const QUEUE_FULL = 'Queue limit reached.';

interface SessionOptions {
  /** Acquire deadline (default: MYSQL_ACQUIRE_TIMEOUT_MS). */
  readonly acquireMs?: number;
  /** Whether failures count towards the breaker (default true). */
  readonly judge?: boolean;
}

export class DbTarget {
  readonly name: string;
  readonly role: 'primary' | 'replica';
  readonly #pool: Pool;
  readonly #options: TargetOptions;
  readonly #breaker = new Breaker({ threshold: 3, openMs: 1000 });

  constructor(options: TargetOptions) {
    this.name = options.name;
    this.role = options.role;
    this.#options = options;
    this.#pool = createPool({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      database: options.database,
      connectionLimit: options.poolSize,
      maxIdle: options.poolSize,
      idleTimeout: 30_000,
      queueLimit: options.queueLimit ?? 0,
      connectTimeout: options.connectTimeoutMs,
      enableKeepAlive: true,
      multipleStatements: false,
      supportBigNumbers: true,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
    });
    const limitSeconds = options.queryTimeoutMs / 1000;
    this.#pool.pool.on('connection', (conn) => {
      // Queued ahead of the connection's first statement.
      conn.query(
        "SET time_zone = '+00:00', max_statement_time = ?",
        [limitSeconds],
        () => undefined,
      );
    });
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
  transaction<T>(work: (tx: Session) => Promise<T>): Promise<Committed<T>> {
    return this.withSession(async (session, conn) => {
      // Through conn.query with the client's reply timeout: beginTransaction() and commit() have
      // none, and would wait forever on a paused server.
      const timeout = this.#options.queryTimeoutMs + CLIENT_GRACE_MS;
      const control = (sql: string) => conn.query({ sql, timeout });
      await control('START TRANSACTION');
      let value: T;
      try {
        value = await work(session);
        await control('COMMIT');
      } catch (error) {
        await control('ROLLBACK').catch(() => undefined);
        throw error;
      }
      const [row] = await session.rows<Row & { last: string | null; pos: string | null }>(
        'SELECT @@SESSION.last_gtid AS last, @@GLOBAL.gtid_binlog_pos AS pos',
      );
      return { value, lastGtid: row?.last ?? '', position: row?.pos ?? '' };
    });
  }

  /**
   * @@gtid_binlog_pos, or undefined when the server cannot say within `deadlineMs` (down, paused,
   * busy). Never counts towards the breaker: a slow answer to this is not an outage.
   */
  async position(deadlineMs: number): Promise<string | undefined> {
    if (!this.available) return undefined;
    const ask = this.withSession(
      async (s) => {
        const [row] = await s.rows<Row & { pos: string | null }>(
          'SELECT @@GLOBAL.gtid_binlog_pos AS pos',
        );
        return row?.pos ?? '';
      },
      { acquireMs: deadlineMs, judge: false },
    );
    return withDeadline(ask, deadlineMs).catch(() => undefined);
  }

  async withSession<T>(
    work: (session: Session, conn: PoolConnection) => Promise<T>,
    options: SessionOptions = {},
  ): Promise<T> {
    const judge = options.judge ?? true;
    const conn = await this.#acquire(options.acquireMs ?? this.#options.acquireTimeoutMs, judge);
    let broken = false;
    try {
      const result = await work(this.#sessionOf(conn), conn);
      if (judge) this.#breaker.succeeded();
      return result;
    } catch (error) {
      const failure = dbFailureOf(error);
      if (failure === undefined) {
        if (judge) this.#breaker.released();
        throw error;
      }
      broken = failure === 'down' || (error as { fatal?: unknown }).fatal === true;
      if (judge && failure === 'down') this.#breaker.failed();
      else if (judge) this.#breaker.released();
      throw error instanceof DbUnavailableError
        ? error
        : new DbUnavailableError(this.name, failure, 'query failed', { cause: error });
    } finally {
      this.#options.observer.inUse(this.name, -1);
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  #sessionOf(conn: PoolConnection): Session {
    const timeout = this.#options.queryTimeoutMs + CLIENT_GRACE_MS;
    const observe = async <T>(run: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      try {
        const result = await run();
        this.#options.observer.query(this.name, (performance.now() - start) / 1000, 'ok');
        return result;
      } catch (error) {
        const outcome = dbFailureOf(error) === undefined ? 'error' : 'unavailable';
        this.#options.observer.query(this.name, (performance.now() - start) / 1000, outcome);
        throw error;
      }
    };
    return {
      rows: <T extends Row>(sql: string, params: readonly Param[] = []) =>
        observe(async () => (await conn.execute<T[]>({ sql, timeout }, params as Param[]))[0]),
      write: (sql: string, params: readonly Param[] = []) =>
        observe(
          async () => (await conn.execute<ResultSetHeader>({ sql, timeout }, params as Param[]))[0],
        ),
    };
  }

  async #acquire(deadlineMs: number, judge: boolean): Promise<PoolConnection> {
    if (judge && !this.#breaker.allow())
      throw new DbUnavailableError(this.name, 'down', 'circuit open after repeated failures');
    const start = performance.now();
    const pending = this.#pool.getConnection();
    // A connect that fails after the deadline still says the server is down.
    pending.catch((error: unknown) => {
      if (judge && dbFailureOf(error) === 'down') this.#breaker.failed();
    });
    try {
      const conn = await withDeadline(pending, deadlineMs, () => {
        pending.then(
          (late) => late.release(),
          () => undefined,
        );
        return new DbUnavailableError(this.name, 'busy', `no connection within ${deadlineMs} ms`);
      });
      this.#options.observer.acquired(this.name, (performance.now() - start) / 1000);
      this.#options.observer.inUse(this.name, 1);
      return conn;
    } catch (error) {
      const failure = (error as Error).message === QUEUE_FULL ? 'full' : dbFailureOf(error);
      // A `down` connect failure was counted above; anything else ends a half-open trial unjudged.
      if (judge && failure !== 'down') this.#breaker.released();
      if (error instanceof DbUnavailableError) throw error;
      if (failure === 'full')
        throw new DbUnavailableError(this.name, 'full', 'too many requests waiting');
      throw new DbUnavailableError(this.name, failure ?? 'down', 'connect failed', {
        cause: error,
      });
    }
  }
}

/** `work`, or a rejection with `onTimeout()` (default: a plain Error) after `ms`. */
function withDeadline<T>(work: Promise<T>, ms: number, onTimeout?: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout?.() ?? new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
