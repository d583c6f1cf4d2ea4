/**
 * Builds the web app (services/web/app.ts) for one test against the shared native stack's data tier
 * (STACK_FILE, started by test/integration/run.ts): its own database `scaling_lab_t_<random>` on the
 * primary (replicated to the replicas), its own data dir, a real listener on 127.0.0.1. Everything
 * is torn down when the test ends. The app runs with the product's defaults (password cost 14,
 * rate limits, timeouts) unless a test overrides one and says why.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mysql2/promise';
import { pino } from 'pino';
import { lbCertificate } from '../../loadtest/drills/stack.ts';
import { buildApp } from '../../services/web/app.ts';
import { loadWebConfig, type WebConfig } from '../../services/web/config.ts';
import { Client } from './http.ts';
import {
  connectMysql,
  createTestDatabase,
  readStackFile,
  type StackFile,
  type StackService,
  serviceOf,
} from './stack.ts';

export interface TestWeb {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly config: WebConfig;
  readonly database: string;
  readonly stack: StackFile;
  /** A new client (its own cookie jar) for this app. */
  client(): Client;
  /** A root connection to a MariaDB instance of the stack, using this test's database. */
  sql(instance?: string): Promise<Connection>;
}

export interface TestWebOptions {
  /** A stack whose MariaDB servers the app uses instead of the shared one's (e.g. one whose
   * replica a test makes lag); Redis, memcached and S3 still come from the shared stack. */
  readonly mysql?: StackFile;
  /** An existing test database to share (a second server of the same app); default a new one. */
  readonly database?: string;
}

function stackEnv(
  stack: StackFile,
  mysql: StackFile,
  database: string,
  dataDir: string,
): Record<string, string> {
  const endpoint = (s: StackService) => `${s.host}:${s.ports.mysql}`;
  const replicas = mysql.services.filter((s) => s.kind === 'mysql-replica');
  const redis = stack.services.find((s) => s.kind === 'redis');
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    SERVER_ID: `test-${database.slice(-6)}`,
    LOG_LEVEL: 'error',
    MYSQL_PRIMARY: endpoint(serviceOf(mysql, 'mysql-primary')),
    MYSQL_REPLICAS: replicas.map(endpoint).join(','),
    MYSQL_USER: mysql.mysql.user,
    MYSQL_PASSWORD_FILE: mysql.secrets['mysql-password'],
    MYSQL_DATABASE: database,
    DATA_DIR: dataDir,
    COOKIE_SECRET_FILE: stack.secrets['web-cookie-secret'],
  };
  if (redis?.ports.redis !== undefined)
    env.REDIS_URL = `redis://${redis.host}:${redis.ports.redis}`;
  const memcached = stack.services.find((s) => s.kind === 'memcached');
  if (memcached?.ports.memcached !== undefined) {
    env.MEMCACHED_SERVERS = `${memcached.host}:${memcached.ports.memcached}`;
  }
  const cdn = stack.services.find((s) => s.kind === 'cdn');
  if (cdn !== undefined) {
    // At stages with CDN=on the app links objects to the shared stack's edge, which fronts the
    // same bucket, and purges it there.
    Object.assign(env, {
      CDN_URL: `https://${cdn.host}:${cdn.ports.http}`,
      CDN_ADMIN_URL: `http://${cdn.host}:${cdn.ports.admin}`,
      CDN_PURGE_TOKEN_FILE: stack.secrets['cdn-purge-token'],
    });
  }
  if (stack.s3) {
    Object.assign(env, {
      S3_ENDPOINT: stack.s3.endpoint,
      S3_BUCKET: stack.s3.bucket,
      S3_REGION: stack.s3.region,
      S3_ACCESS_KEY_ID: stack.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY_FILE: stack.secrets['s3-secret-access-key'],
    });
  }
  return env;
}

/** Starts the web app for this test. `env` sets flags (STAGE, SESSION_STORE, ...) and overrides. */
export async function startTestWeb(
  t: TestContext,
  env: Record<string, string> = {},
  options: TestWebOptions = {},
): Promise<TestWeb> {
  const stack = readStackFile();
  const mysql = options.mysql ?? stack;
  const database = options.database ?? (await createTestDatabase(mysql, t)).name;
  const dataDir = mkdtempSync(join(tmpdir(), 'web-test-'));
  // Removed after the app has closed (hooks run in the order they are added): until then its
  // background work (static assets, uploads on local storage) may still write there.
  let closeApp: () => Promise<unknown> = async () => undefined;
  t.after(async () => {
    await closeApp();
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });

  const config = loadWebConfig({
    STAGE: '1',
    ...stackEnv(stack, mysql, database, dataDir),
    ...env,
  });
  const logger = pino({ level: config.LOG_LEVEL });
  const app = await buildApp(config, { logger });
  closeApp = () => app.close();
  await app.listen({ host: config.HOST, port: config.PORT });
  const address = app.server.address();
  if (address === null || typeof address === 'string')
    throw new Error('the app is not listening on TCP');
  const url = `http://127.0.0.1:${address.port}`;

  const connections: Connection[] = [];
  t.after(() => Promise.allSettled(connections.map((c) => c.end())));
  return {
    url,
    app,
    config,
    database,
    stack: mysql,
    // Trusts the shared stack's development certificate: the CDN URLs the app hands out are
    // https, on the edge that serves the LB's certificate.
    client: () => new Client(url, { ca: lbCertificate(stack) }),
    sql: async (instance = 'mysql-primary') => {
      const conn = await connectMysql(mysql, { instance, database });
      connections.push(conn);
      return conn;
    },
  };
}

/** Signs up and logs in a fresh user; the client keeps the session cookie. */
export async function loggedInClient(
  web: TestWeb,
  prefix = 'user',
): Promise<{ client: Client; id: number; username: string }> {
  const client = web.client();
  const username = `${prefix}_${randomBytes(4).toString('hex')}`;
  const password = 'password-123';
  const signup = await client.post<{ id: number }>('/api/users', { json: { username, password } });
  if (signup.status !== 201)
    throw new Error(`sign-up failed: ${signup.status} ${JSON.stringify(signup.body)}`);
  const login = await client.post('/api/sessions', { json: { username, password } });
  if (login.status !== 200)
    throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { client, id: signup.body.id, username };
}
