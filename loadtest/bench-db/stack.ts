/**
 * A native stack for one benchmark phase of `make bench-db`: started with the phase's flags on a
 * free port base, seeded with `make seed`'s loader, a logged-in writer, and readings of the
 * database tier (query cache counters per server, memcached hits). Stopped and removed after.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { request } from 'undici';
import { type StartedStack, startStack } from '../../runner/stack/api.ts';
import type { StackService } from '../../runner/stack/stack-file.ts';
import {
  QCACHE_STATUS_SQL,
  type QcacheFigures,
  qcacheFigures,
} from '../../services/shared/db/qcache.ts';
import { script } from '../bench-lb/procs.ts';

export interface DbBench {
  readonly stack: StartedStack;
  /** http://host:port of the first web server (the load skips the LB to spare the generator). */
  readonly origin: string;
  /** Signs up and logs in a writer; its cookie header. */
  writer(name: string): Promise<string>;
  /** Query cache counters of each MariaDB server. */
  qcache(): Promise<Map<string, QcacheFigures>>;
  /** memcached's get hits and misses so far (zeros without memcached). */
  memcached(): Promise<{ hits: number; misses: number }>;
  /** Runs a statement as root on one server. */
  sql(instance: string, statement: string, values?: unknown[]): Promise<RowDataPacket[]>;
  stop(): Promise<void>;
}

export interface SeedSize {
  readonly users: number;
  readonly posts: number;
}

function seed(stackFile: string, size: SeedSize): void {
  const result = spawnSync(process.execPath, [script('../../scripts/seed')], {
    env: {
      ...process.env,
      STACK_FILE: stackFile,
      SEED_USERS: String(size.users),
      SEED_POSTS: String(size.posts),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 600_000,
  });
  if (result.status !== 0) throw new Error(`seeding failed (exit ${String(result.status)})`);
}

function memcachedStats(s: StackService): Promise<{ hits: number; misses: number }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: s.host, port: s.ports.memcached ?? 0 });
    let text = '';
    sock.setTimeout(3000, () => sock.destroy(new Error('memcached stats timed out')));
    sock.on('connect', () => sock.write('stats\r\n'));
    sock.on('data', (d) => {
      text += d.toString();
      if (text.includes('END\r\n')) {
        sock.end();
        const stat = (k: string) => Number(new RegExp(`STAT ${k} (\\d+)`).exec(text)?.[1] ?? 0);
        resolve({ hits: stat('get_hits'), misses: stat('get_misses') });
      }
    });
    sock.on('error', reject);
  });
}

export async function startDbBench(
  flags: Record<string, string>,
  size: SeedSize,
): Promise<DbBench> {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-bench-db-'));
  const stack = await startStack({
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', RATE_LIMIT_SIGNUP_PER_MINUTE: '0', ...flags },
    stackDir,
    portBase: 'auto',
    logs: 'quiet',
  });
  try {
    if (size.posts > 0) seed(stack.stackFile, size);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  const info = stack.info;
  const web = info.services.find((s) => s.kind === 'web');
  const origin = `http://${web?.host}:${String(web?.ports.http)}`;
  const password = readFileSync(info.secrets['mysql-root-password'], 'utf8').trim();
  const conns = new Map<string, mysql.Connection>();
  const conn = async (instance: string) => {
    const known = conns.get(instance);
    if (known) return known;
    const s = info.services.find((x) => x.name === instance);
    const c = await mysql.createConnection({
      host: s?.host,
      port: s?.ports.mysql,
      user: info.mysql.rootUser,
      password,
      database: info.mysql.database,
      connectTimeout: 5000,
    });
    conns.set(instance, c);
    return c;
  };
  const sql = async (instance: string, statement: string, values: unknown[] = []) =>
    (
      await (
        await conn(instance)
      ).query<RowDataPacket[]>({ sql: statement, timeout: 60_000 }, values)
    )[0];
  const post = (path: string, body: unknown, cookie = '') =>
    request(`${origin}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', cookie },
    });
  return {
    stack,
    origin,
    sql,
    async writer(name) {
      const credentials = { username: name, password: 'bench-password' };
      await (await post('/api/users', credentials)).body.dump();
      const res = await post('/api/sessions', credentials);
      await res.body.dump();
      return [res.headers['set-cookie'] ?? []]
        .flat()
        .map((c) => c.split(';')[0])
        .join('; ');
    },
    async qcache() {
      const out = new Map<string, QcacheFigures>();
      for (const s of info.services.filter((x) => x.ports.mysql !== undefined))
        out.set(s.name, qcacheFigures(await sql(s.name, QCACHE_STATUS_SQL)));
      return out;
    },
    async memcached() {
      const m = info.services.find((s) => s.kind === 'memcached');
      return m ? memcachedStats(m) : { hits: 0, misses: 0 };
    },
    async stop() {
      await Promise.allSettled([...conns.values()].map((c) => c.end()));
      await stack.stop();
      rmSync(stackDir, { recursive: true, force: true });
    },
  };
}
