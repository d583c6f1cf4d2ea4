/**
 * A native stack for one benchmark phase (stage 6's shape, one web server, no replicas or cache so
 * the uploads meet nothing but the thumbnail work), logged-in sessions, when each upload's
 * thumbnails became ready (the row's updated_at, written by the worker or inline), and the CPU
 * time of the web server and the workers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { Agent, request } from 'undici';
import { type StartedStack, startStack } from '../../runner/stack/api.ts';
import { cpuMicros } from '../bench-lb/procs.ts';
import type { Session } from './uploads.ts';

export const BENCH_FLAGS = {
  STAGE: '6',
  WEB_REPLICAS: '1',
  READ_API_REPLICAS: '0',
  WRITE_API_REPLICAS: '0',
  DB_REPLICAS: '0',
  READ_FROM: 'primary',
  CACHE: 'off',
};

export interface BenchStack {
  readonly stack: StartedStack;
  readonly entry: string;
  login(count: number): Promise<Session[]>;
  /** Epoch ms at which each media id became ready (missing: not ready). */
  readyTimes(ids: readonly number[]): Promise<Map<number, number>>;
  countReady(ids: readonly number[]): Promise<number>;
  /** CPU seconds used so far by the processes of `kind`. */
  cpuSeconds(kind: 'web' | 'worker'): number;
  stop(): Promise<void>;
}

export async function startBenchStack(flags: Record<string, string>): Promise<BenchStack> {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-bench-thumbnails-'));
  const stack = await startStack({
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...BENCH_FLAGS, ...flags },
    stackDir,
    portBase: 'auto',
  });
  const entry = stack.info.entry ?? '';
  const primary = stack.info.services.find((s) => s.name === 'mysql-primary');
  const db = await mysql.createConnection({
    host: primary?.host,
    port: primary?.ports.mysql,
    user: stack.info.mysql.rootUser,
    password: readFileSync(stack.info.secrets['mysql-root-password'], 'utf8').trim(),
    database: stack.info.mysql.database,
    connectTimeout: 5000,
  });
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  const post = async (path: string, body: unknown, cookie = '') => {
    const res = await request(`${entry}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', cookie },
      dispatcher,
    });
    await res.body.dump();
    return res;
  };
  const pidsOf = (kind: string) =>
    stack.info.services
      .filter((s) => s.kind === kind && s.pid !== null)
      .map((s) => s.pid as number);
  const inIds = (ids: readonly number[]) => ids.map(() => '?').join(',') || 'NULL';
  return {
    stack,
    entry,
    async login(count) {
      const sessions: Session[] = [];
      for (let i = 0; i < count; i++) {
        const credentials = { username: `bench_${i}`, password: 'bench-password' };
        await post('/api/users', credentials);
        const res = await post('/api/sessions', credentials);
        const cookie = [res.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]);
        sessions.push({ cookie: cookie.join('; ') });
      }
      return sessions;
    },
    async readyTimes(ids) {
      const [rows] = await db.query<RowDataPacket[]>(
        `SELECT id, UNIX_TIMESTAMP(updated_at) * 1000 AS at FROM media WHERE thumbnail_status = 'ready' AND id IN (${inIds(ids)})`,
        [...ids],
      );
      return new Map(rows.map((r) => [Number(r.id), Number(r.at)]));
    },
    async countReady(ids) {
      const [rows] = await db.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM media WHERE thumbnail_status = 'ready' AND id IN (${inIds(ids)})`,
        [...ids],
      );
      return Number(rows[0]?.n ?? 0);
    },
    cpuSeconds: (kind) => pidsOf(kind).reduce((sum, pid) => sum + cpuMicros(pid), 0) / 1e6,
    async stop() {
      await db.end();
      await dispatcher.close();
      await stack.stop();
      rmSync(stackDir, { recursive: true, force: true });
    },
  };
}
