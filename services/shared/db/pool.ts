/**
 * The mysql2 pool of one server and the statements on one of its connections. Every connection
 * runs with max_statement_time = the query timeout, so a statement that runs (or waits for a lock)
 * too long is ended by MariaDB itself; the client waits CLIENT_GRACE_MS longer before it gives up
 * on a server that does not answer at all.
 */
import {
  createPool,
  type Pool,
  type PoolConnection,
  type ResultSetHeader,
  type RowDataPacket,
} from 'mysql2/promise';
import { dbFailureOf } from './errors.ts';

export type Param = string | number | bigint | boolean | Date | Buffer | null;
export type Row = RowDataPacket;

/** Statements on one connection: a transaction, or a sequence that must share a session. */
export interface Session {
  rows<T extends Row = Row>(sql: string, params?: readonly Param[]): Promise<T[]>;
  write(sql: string, params?: readonly Param[]): Promise<ResultSetHeader>;
}

export interface DbObserver {
  query(target: string, seconds: number, outcome: 'ok' | 'error' | 'unavailable'): void;
  acquired(target: string, waitSeconds: number): void;
  inUse(target: string, delta: 1 | -1): void;
}

export interface PoolOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly poolSize: number;
  /** Requests waiting for a connection beyond which new ones are refused (0: unbounded). */
  readonly queueLimit?: number;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
}

/** How long the client waits past the server's own statement limit before calling it down. */
export const CLIENT_GRACE_MS = 1000;

/** The error mysql2 gives when its wait queue is full (it has no code). */
export const QUEUE_FULL = 'Queue limit reached.';

export function openPool(options: PoolOptions): Pool {
  const pool = createPool({
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
  pool.pool.on('connection', (conn) => {
    // Queued ahead of the connection's first statement.
    conn.query("SET time_zone = '+00:00', max_statement_time = ?", [limitSeconds], () => undefined);
  });
  return pool;
}

/** Statements on `conn`, each with the client's reply timeout, observed for metrics. */
export function sessionOn(
  conn: PoolConnection,
  target: string,
  replyTimeoutMs: number,
  observer: DbObserver,
): Session {
  const timeout = replyTimeoutMs;
  const observe = async <T>(run: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      const result = await run();
      observer.query(target, (performance.now() - start) / 1000, 'ok');
      return result;
    } catch (error) {
      const outcome = dbFailureOf(error) === undefined ? 'error' : 'unavailable';
      observer.query(target, (performance.now() - start) / 1000, outcome);
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
