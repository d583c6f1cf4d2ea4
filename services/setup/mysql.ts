/**
 * Connections the setup service (and the runner's probes and test helpers) open to a MariaDB
 * instance: explicit connect and query timeouts, one statement per call, and a wait that retries
 * until the server answers.
 */
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { waitUntil } from '../shared/wait-until.ts';
import type { Statement } from './statement.ts';

export interface MysqlTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database?: string;
}

export const CONNECT_TIMEOUT_MS = 3000;
export const QUERY_TIMEOUT_MS = 10_000;

export async function connect(target: MysqlTarget): Promise<Connection> {
  return mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    ...(target.database === undefined ? {} : { database: target.database }),
    connectTimeout: CONNECT_TIMEOUT_MS,
    multipleStatements: false,
  });
}

/** Runs a read query (client-side placeholders) and returns its rows. */
export async function rows(
  conn: Connection,
  sql: string,
  params: readonly (string | number)[] = [],
  timeoutMs = QUERY_TIMEOUT_MS,
): Promise<RowDataPacket[]> {
  const [result] = await conn.query<RowDataPacket[]>({ sql, timeout: timeoutMs }, [...params]);
  return result;
}

/** Runs one statement of a bootstrap plan. */
export async function apply(conn: Connection, s: Statement): Promise<void> {
  await conn.query({ sql: s.sql, timeout: QUERY_TIMEOUT_MS }, [...s.params]);
}

/** Opens a connection once the server accepts logins and answers SELECT 1. */
export async function waitForMysql(
  target: MysqlTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Connection> {
  return waitUntil(
    async () => {
      const conn = await connect(target);
      try {
        await rows(conn, 'SELECT 1');
        return conn;
      } catch (error) {
        conn.destroy();
        throw error;
      }
    },
    {
      what: `MariaDB at ${target.host}:${target.port}`,
      timeoutMs,
      intervalMs: 200,
      ...(signal ? { signal } : {}),
    },
  );
}

/** Closes politely, or tears the socket down if the server does not answer. */
export async function close(conn: Connection): Promise<void> {
  try {
    await Promise.race([
      conn.end(),
      new Promise((_, reject) => setTimeout(reject, 2000, new Error('close timed out')).unref()),
    ]);
  } catch {
    conn.destroy();
  }
}
