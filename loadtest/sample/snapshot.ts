/**
 * One reading of every component of a running stack (I/O): CPU time and memory of each process
 * (/proc), web servers' /metrics (event-loop delay, DB pool waits, queue depth), MariaDB status
 * (queries, threads running, replica lag), memcached and Redis stats, the LB's per-backend counts.
 * Every probe has a short deadline; a probe that fails leaves its fields out.
 */
import { readFileSync } from 'node:fs';
import { connect as tcp } from 'node:net';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { StackFile, StackService } from '../../runner/stack/stack-file.ts';
import { statCpuMs } from '../core/thread-cpu.ts';
import { metricMax, metricSum, metricSumsBy } from './prometheus.ts';
import { QUERY_COUNT, QUERY_SUM } from './series.ts';

export interface Reading {
  readonly atMs: number;
  /** Cumulative counters and gauges by component, e.g. { 'web-1': { cpuMs, rssMb, ... } }. */
  readonly values: Record<string, Record<string, number>>;
}

const DEADLINE_MS = 800;

function procValues(pid: number | null): Record<string, number> {
  if (pid === null) return {};
  try {
    const cpuMs = statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return {
      ...(cpuMs === undefined ? {} : { cpuMs }),
      ...(rss ? { rssMb: Number(rss) / 1024 } : {}),
    };
  } catch {
    return {};
  }
}

async function webValues(s: StackService): Promise<Record<string, number>> {
  if (s.url === null) return {};
  const text = await fetch(`${s.url}/metrics`, { signal: AbortSignal.timeout(DEADLINE_MS) }).then(
    (r) => r.text(),
  );
  const out: Record<string, number> = {};
  const put = (k: string, v: number | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  put('loopP99Ms', (metricMax(text, 'nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000);
  put('poolWaitSum', metricSum(text, 'db_pool_acquire_seconds_sum'));
  put('poolWaitCount', metricSum(text, 'db_pool_acquire_seconds_count'));
  put('poolInUse', metricSum(text, 'db_pool_connections_in_use'));
  put('queueJobs', metricSum(text, 'thumbnail_queue_jobs', /state="(waiting|wait|delayed)"/));
  // Statement time by database server as this web server saw it (a slow dependency shows here).
  for (const [target, v] of Object.entries(
    metricSumsBy(text, 'db_query_duration_seconds_sum', 'target'),
  ))
    put(`${QUERY_SUM}${target}`, v);
  for (const [target, v] of Object.entries(
    metricSumsBy(text, 'db_query_duration_seconds_count', 'target'),
  ))
    put(`${QUERY_COUNT}${target}`, v);
  return Object.fromEntries(Object.entries(out).filter(([, v]) => Number.isFinite(v)));
}

async function mysqlValues(
  stack: StackFile,
  s: StackService,
  conns: Map<string, Connection>,
): Promise<Record<string, number>> {
  let conn = conns.get(s.name);
  if (conn === undefined) {
    conn = await mysql.createConnection({
      host: s.host,
      port: s.ports.mysql,
      user: stack.mysql.rootUser,
      password: readFileSync(stack.secrets['mysql-root-password'], 'utf8').trim(),
      connectTimeout: DEADLINE_MS,
    });
    conns.set(s.name, conn);
  }
  const [status] = await conn.query<RowDataPacket[]>({
    sql: "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Threads_running')",
    timeout: DEADLINE_MS,
  });
  const out: Record<string, number> = {};
  for (const row of status) out[String(row.Variable_name)] = Number(row.Value);
  if (s.kind === 'mysql-replica') {
    const [replica] = await conn.query<RowDataPacket[]>({
      sql: 'SHOW SLAVE STATUS',
      timeout: DEADLINE_MS,
    });
    const lag = replica[0]?.Seconds_Behind_Master;
    if (lag !== null && lag !== undefined) out.lagSeconds = Number(lag);
  }
  return out;
}

/** Sends one text command and collects the answer until `end` matches. */
function ask(host: string, port: number, command: string, end: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = tcp({ host, port }, () => socket.write(command));
    socket.setTimeout(DEADLINE_MS, () => socket.destroy(new Error('timeout')));
    socket.on('data', (d) => {
      text += d.toString();
      if (end.test(text)) socket.end();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

const stat = (text: string, name: string, sep: string): number | undefined => {
  const m = new RegExp(`(?:^|\\n)(?:STAT )?${name}${sep}(\\d+(?:\\.\\d+)?)`).exec(text);
  return m ? Number(m[1]) : undefined;
};

async function memcachedValues(s: StackService): Promise<Record<string, number>> {
  const text = await ask(s.host, s.ports.memcached ?? 0, 'stats\r\n', /END\r\n$/);
  const out: Record<string, number> = {};
  for (const k of ['get_hits', 'get_misses', 'evictions']) {
    const v = stat(text, k, ' ');
    if (v !== undefined) out[k] = v;
  }
  return out;
}

async function redisValues(s: StackService): Promise<Record<string, number>> {
  const text = await ask(
    s.host,
    s.ports.redis ?? 0,
    'INFO\r\n',
    /\r\n\r\n$|# Keyspace[\s\S]*\r\n$/,
  );
  const out: Record<string, number> = {};
  const ops = stat(text, 'total_commands_processed', ':');
  const mem = stat(text, 'used_memory', ':');
  if (ops !== undefined) out.commands = ops;
  if (mem !== undefined) out.memoryMb = mem / 1024 / 1024;
  return out;
}

interface LbBackend {
  readonly address: string;
  readonly inflight: number;
  readonly requests: number;
  readonly retries: number;
  readonly responses: readonly number[];
}

async function lbValues(s: StackService): Promise<Record<string, Record<string, number>>> {
  const stats = (await fetch(`http://${s.host}:${s.ports.admin}/stats.json`, {
    signal: AbortSignal.timeout(DEADLINE_MS),
  }).then((r) => r.json())) as {
    pools: { name: string; queued?: number; backends: LbBackend[] }[];
  };
  const out: Record<string, Record<string, number>> = {};
  for (const pool of stats.pools)
    for (const b of pool.backends)
      out[`lb→${b.address}`] = {
        requests: b.requests,
        inflight: b.inflight,
        retries: b.retries,
        errors5xx: b.responses[5] ?? 0,
        queued: pool.queued ?? 0,
      };
  return out;
}

export class Snapshotter {
  readonly #conns = new Map<string, Connection>();
  readonly stack: StackFile;
  constructor(stack: StackFile) {
    this.stack = stack;
  }

  async read(): Promise<Reading> {
    const values: Record<string, Record<string, number>> = {};
    const probes: Promise<void>[] = [];
    const probe = (name: string, work: () => Promise<Record<string, number>>) =>
      probes.push(
        work().then(
          (v) => {
            values[name] = { ...values[name], ...v };
          },
          () => undefined,
        ),
      );
    for (const s of this.stack.services) {
      if (s.pid !== null) values[s.name] = procValues(s.pid);
      if (s.kind === 'web') probe(s.name, () => webValues(s));
      if ((s.kind === 'mysql-primary' || s.kind === 'mysql-replica') && s.ports.mysql)
        probe(s.name, () => mysqlValues(this.stack, s, this.#conns));
      if (s.kind === 'memcached') probe(s.name, () => memcachedValues(s));
      if (s.kind === 'redis') probe(s.name, () => redisValues(s));
      if (s.kind === 'lb')
        probes.push(
          lbValues(s).then(
            (v) => {
              Object.assign(values, v);
            },
            () => undefined,
          ),
        );
    }
    await Promise.all(probes);
    return { atMs: performance.now(), values };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#conns.values()].map((c) => c.end().catch(() => undefined)));
  }
}
