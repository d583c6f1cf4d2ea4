/**
 * Before a run: the target from stack.json (entry URL, the LB's development CA, the CDN if any),
 * seeded data (runs `make seed` when the stack has little), writes of earlier load runs removed and
 * the cache flushed (so runs compare), and the ids, users and objects the scenarios draw from.
 */
export { readStackFile } from '../../runner/stack/read-stack.ts';

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect as tcp } from 'node:net';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { readStackFile } from '../../runner/stack/read-stack.ts';
import type { StackFile } from '../../runner/stack/stack-file.ts';
import { seedUsername } from '../../scripts/seed/data.ts';
import { exchange, json, makeAgent } from '../core/http.ts';
import type { Target } from '../run/run-load.ts';
import { logIn } from '../scenarios/login.ts';
import { multipartFile } from '../scenarios/multipart.ts';
import type { ScenarioData, ScenarioName } from '../scenarios/scenario.ts';
import { testImage } from '../scenarios/uploads.ts';

/** Load-test posts carry this prefix, so a reset finds them. */
export const LOAD_POST_PREFIX = 'load test post';
const MIN_POSTS = 1000;
const LOGIN_USERS = 64;
const STATIC_OBJECTS = 20;

export function targetOf(stack: StackFile): Target {
  if (stack.entry === null) throw new Error('the stack has no LB entry to load');
  const lb = stack.services.find((s) => s.kind === 'lb');
  const caFile = lb ? join(lb.dataDir, 'dev-cert.pem') : '';
  return { origin: stack.entry, ca: existsSync(caFile) ? readFileSync(caFile, 'utf8') : undefined };
}

async function primary(stack: StackFile): Promise<Connection> {
  const s = stack.services.find((x) => x.name === 'mysql-primary');
  if (s?.ports.mysql === undefined) throw new Error('stack.json has no mysql-primary');
  return mysql.createConnection({
    host: s.host,
    port: s.ports.mysql,
    user: stack.mysql.user,
    password: readFileSync(stack.secrets['mysql-password'], 'utf8').trim(),
    database: stack.mysql.database,
    connectTimeout: 5000,
  });
}

const one = async (conn: Connection, sql: string, params: unknown[] = []) =>
  ((await conn.query<RowDataPacket[]>({ sql, timeout: 60_000 }, params))[0][0] ?? {}) as Record<
    string,
    unknown
  >;

function flushMemcached(stack: StackFile): Promise<void> {
  const s = stack.services.find((x) => x.kind === 'memcached');
  const port = s?.ports.memcached;
  if (s === undefined || port === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const socket = tcp({ host: s.host, port }, () => socket.write('flush_all\r\n'));
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', () => socket.end());
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

function seed(stackFile: string, seedEnv: Readonly<Record<string, string>>): void {
  const script = existsSync('dist/scripts/seed.js')
    ? ['dist/scripts/seed.js']
    : ['--import', 'tsx', 'scripts/seed.ts'];
  const result = spawnSync(process.execPath, script, {
    env: { ...process.env, ...seedEnv, STACK_FILE: stackFile },
    // Its progress goes to stderr: stdout carries the report (make load > file, make bench's table).
    stdio: ['ignore', 2, 2],
    timeout: 600_000,
  });
  if (result.status !== 0) throw new Error('make seed failed (above)');
}

async function uploadObjects(target: Target, password: string, count: number): Promise<void> {
  const agent = makeAgent(4, target.ca, 30_000);
  try {
    const ctx = {
      agent,
      origin: target.origin,
      data: {} as ScenarioData,
      random: Math.random,
      worker: 0,
      workers: 1,
      share: 1,
    };
    const [user] = await logIn(ctx, [{ username: seedUsername(1), password }], 1);
    for (let i = 0; i < count; i++) {
      const { body, contentType } = multipartFile(
        'file',
        `static-${i}.png`,
        'image/png',
        await testImage(1000 + i, 128),
      );
      const reply = await exchange(
        agent,
        target.origin,
        {
          label: 'upload',
          method: 'POST',
          path: '/api/media',
          headers: { 'content-type': contentType },
          body,
        },
        user?.jar,
      );
      if (reply.status >= 300)
        throw new Error(
          `uploading static objects: HTTP ${reply.status} ${JSON.stringify(json(reply.body))}`,
        );
    }
  } finally {
    await agent.close();
  }
}

export interface Prepared {
  readonly target: Target;
  readonly data: ScenarioData;
  readonly notes: string[];
}

export async function prepare(
  stackFile: string,
  scenario: ScenarioName,
  options: {
    reset: boolean;
    password: string;
    /** SEED_USERS, SEED_POSTS, ... for make seed when it has to run. */
    seedEnv?: Readonly<Record<string, string>>;
  },
): Promise<Prepared> {
  const stack = readStackFile(stackFile);
  const target = targetOf(stack);
  const notes: string[] = [];
  let conn = await primary(stack);
  try {
    if (Number((await one(conn, 'SELECT COUNT(*) AS n FROM posts')).n) < MIN_POSTS) {
      await conn.end();
      notes.push('the stack had fewer than 1,000 posts: ran make seed');
      seed(stackFile, options.seedEnv ?? {});
      conn = await primary(stack);
    }
    if (options.reset) {
      const [res] = await conn.query<mysql.ResultSetHeader>(
        { sql: 'DELETE FROM posts WHERE body LIKE ?', timeout: 60_000 },
        [`${LOAD_POST_PREFIX}%`],
      );
      await flushMemcached(stack);
      notes.push(
        `reset: removed ${res.affectedRows} posts of earlier load runs, flushed the cache`,
      );
    }
    const posts = await one(conn, 'SELECT MIN(id) AS lo, MAX(id) AS hi FROM posts');
    const authors = await one(
      conn,
      "SELECT MIN(id) AS lo, COUNT(*) AS n FROM users WHERE username LIKE 'seed\\_%'",
    );
    const authorCount = Number(authors.n);
    if (authorCount === 0) throw new Error('no seeded users: run make seed first');
    const users = Array.from({ length: Math.min(LOGIN_USERS, authorCount) }, (_, i) => ({
      username: seedUsername(i + 1),
      password: options.password,
    }));
    let objects: string[] = [];
    if (scenario === 'static') {
      const keys = async () =>
        (
          await conn.query<RowDataPacket[]>(
            { sql: 'SELECT object_key FROM media ORDER BY id LIMIT ?', timeout: 10_000 },
            [STATIC_OBJECTS],
          )
        )[0];
      if ((await keys()).length < STATIC_OBJECTS) {
        await uploadObjects(target, options.password, STATIC_OBJECTS);
        notes.push(`uploaded ${STATIC_OBJECTS} images for the static scenario`);
      }
      objects = (await keys()).map((r) => `/files/${String(r.object_key)}`);
    }
    const cdn = stack.services.find((s) => (s.kind as string) === 'cdn');
    return {
      target,
      notes,
      data: {
        posts: { min: Number(posts.lo), max: Number(posts.hi) },
        authors: { min: Number(authors.lo), count: authorCount },
        users,
        objects,
        cdn: cdn?.url ?? null,
      },
    };
  } finally {
    await conn.end();
  }
}
