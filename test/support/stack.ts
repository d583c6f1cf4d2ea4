/**
 * Test helpers for a running native stack (the shared one that test/integration/run.ts starts and
 * names in STACK_FILE, or one a test starts itself): the typed stack.json, secrets, MariaDB
 * connections as root or as the app user to any instance, a private database per test, and
 * waiting for replicas to catch up.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { secretOf as readStackSecret, serviceOf } from '../../loadtest/drills/stack.ts';
import { readStackFile as readRunnerStackFile } from '../../runner/stack/read-stack.ts';
import type { StackFile, StackService } from '../../runner/stack/stack-file.ts';

export type { StackFile, StackService };

/** The environment variable run.ts sets to the shared stack's stack.json. */
export const STACK_FILE_VARIABLE = 'STACK_FILE';

/** Reads a stack.json (default: the shared stack of this test run). */
export function readStackFile(
  file: string | undefined = process.env[STACK_FILE_VARIABLE],
): StackFile {
  if (file === undefined || file === '')
    throw new Error(
      `${STACK_FILE_VARIABLE} is not set: run integration tests with \`npm run test:integration\``,
    );
  return readRunnerStackFile(file);
}

export { readStackSecret, serviceOf };

export const servicesOfKind = (stack: StackFile, kind: StackService['kind']): StackService[] =>
  stack.services.filter((s) => s.kind === kind);

export interface ConnectOptions {
  /** MariaDB instance name (default the primary). */
  readonly instance?: string;
  readonly as?: 'root' | 'app';
  readonly database?: string;
}

/** A connection with explicit timeouts to one MariaDB instance of the stack. */
export async function connectMysql(
  stack: StackFile,
  options: ConnectOptions = {},
): Promise<Connection> {
  const s = serviceOf(stack, options.instance ?? 'mysql-primary');
  if (s.ports.mysql === undefined) throw new Error(`${s.name} is not a MariaDB instance`);
  const asRoot = (options.as ?? 'root') === 'root';
  return mysql.createConnection({
    host: s.host,
    port: s.ports.mysql,
    user: asRoot ? stack.mysql.rootUser : stack.mysql.user,
    password: readStackSecret(stack, asRoot ? 'mysql-root-password' : 'mysql-password'),
    ...(options.database ? { database: options.database } : {}),
    connectTimeout: 5000,
    multipleStatements: false,
  });
}

/** Runs a query with a timeout and returns its rows. */
export async function query(
  conn: Connection,
  sql: string,
  values: (string | number)[] = [],
): Promise<RowDataPacket[]> {
  const [rows] = await conn.query<RowDataPacket[]>({ sql, timeout: 10_000 }, values);
  return rows;
}

export interface TestDatabase {
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * Creates `scaling_lab_t_<random>` on the primary (replicated to every replica) and drops it when
 * the test ends (when `t` is given).
 */
export async function createTestDatabase(stack: StackFile, t?: TestContext): Promise<TestDatabase> {
  const name = `${stack.mysql.database}_t_${randomBytes(5).toString('hex')}`;
  const conn = await connectMysql(stack, { as: 'app' });
  try {
    await query(conn, 'CREATE DATABASE ??', [name]);
  } finally {
    await conn.end();
  }
  const db: TestDatabase = {
    name,
    async drop() {
      const c = await connectMysql(stack, { as: 'app' });
      try {
        await query(c, 'DROP DATABASE IF EXISTS ??', [name]);
      } finally {
        await c.end();
      }
    },
  };
  t?.after(() => db.drop());
  return db;
}

/** The primary's current GTID position. */
export async function primaryPosition(stack: StackFile): Promise<string> {
  const conn = await connectMysql(stack);
  try {
    return String((await query(conn, 'SELECT @@GLOBAL.gtid_binlog_pos AS pos'))[0]?.pos ?? '');
  } finally {
    await conn.end();
  }
}

/** Waits until `replica` has applied everything the primary had written when this was called. */
export async function waitForReplica(
  stack: StackFile,
  replica: string,
  timeoutMs = 15_000,
): Promise<void> {
  const position = await primaryPosition(stack);
  if (position === '') return;
  const conn = await connectMysql(stack, { instance: replica });
  try {
    const rows = await query(conn, 'SELECT MASTER_GTID_WAIT(?, ?) AS r', [
      position,
      timeoutMs / 1000,
    ]);
    if (Number(rows[0]?.r) !== 0)
      throw new Error(`${replica} did not reach GTID ${position} in ${timeoutMs} ms`);
  } finally {
    await conn.end();
  }
}

/** What a test passes as `env` to startStack: where binaries are, nothing else inherited. */
export function baseStackEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  if (process.env.HOME) env.HOME = process.env.HOME;
  return env;
}
