/**
 * One MariaDB server as the app sees it: a mysql2 pool with explicit connect, acquire and query
 * timeouts, a circuit breaker, and hooks for metrics. Statements always go through placeholders.
 */
import {
  createPool,
  type Pool,
  type PoolConnection,
  type ResultSetHeader,
  type RowDataPacket,
} from 'mysql2/promise';
import { Breaker } from '../breaker.ts';
import { DbUnavailableError, isUnavailable } from './errors.ts';

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
      connectTimeout: options.connectTimeoutMs,
      enableKeepAlive: true,
      multipleStatements: false,
      supportBigNumbers: true,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
    });
    this.#pool.pool.on('connection', (conn) => {
      conn.query("SET time_zone = '+00:00'", () => undefined);
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
  transaction<T>(work: (tx: Session) => Promise<T>): Promise<T> {
    return this.withSession(async (session, conn) => {
      await conn.beginTransaction();
      try {
        const result = await work(session);
        await conn.commit();
        return result;
      } catch (error) {
        await conn.rollback().catch(() => undefined);
        throw error;
      }
    });
  }

  async withSession<T>(work: (session: Session, conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.#acquire();
    let broken = false;
    try {
      const result = await work(this.#sessionOf(conn), conn);
      this.#breaker.succeeded();
      return result;
    } catch (error) {
      if (isUnavailable(error)) {
        broken = true;
        this.#breaker.failed();
        throw error instanceof DbUnavailableError
          ? error
          : new DbUnavailableError(this.name, 'query failed', { cause: error });
      }
      this.#breaker.released();
      throw error;
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
    const timeout = this.#options.queryTimeoutMs;
    const observe = async <T>(run: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      try {
        const result = await run();
        this.#options.observer.query(this.name, (performance.now() - start) / 1000, 'ok');
        return result;
      } catch (error) {
        const outcome = isUnavailable(error) ? 'unavailable' : 'error';
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

  async #acquire(): Promise<PoolConnection> {
    if (!this.#breaker.allow())
      throw new DbUnavailableError(this.name, 'circuit open after repeated failures');
    const start = performance.now();
    const pending = this.#pool.getConnection();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new DbUnavailableError(
              this.name,
              `no connection within ${this.#options.acquireTimeoutMs} ms`,
            ),
          ),
        this.#options.acquireTimeoutMs,
      );
    });
    try {
      const conn = await Promise.race([pending, timeout]);
      this.#options.observer.acquired(this.name, (performance.now() - start) / 1000);
      this.#options.observer.inUse(this.name, 1);
      return conn;
    } catch (error) {
      pending.then(
        (late) => late.release(),
        () => undefined,
      );
      this.#breaker.failed();
      throw error instanceof DbUnavailableError
        ? error
        : new DbUnavailableError(this.name, 'connect failed', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
