/**
 * DB_TOPOLOGY=master-master under write load, with the ledger (loadtest/ledger): writers post as
 * fast as they are answered, each post with its own Idempotency-Key and a body that names it, as
 * users whose home masters are known (half on each master). `runMasterKill` kills one master with
 * SIGKILL mid-writes (kept down, as a dead box would be): its users' writes go to the other master
 * once the web servers notice; then every acknowledged key is looked up on the survivor. With
 * `partitionMs` the link between the masters is cut first (each replicates from the other through
 * a relay of the fault proxy that then drops what arrives), so the victim acknowledges writes the
 * survivor never gets: the loss asynchronous master-master shares with asynchronous primary/replica.
 * `runWriteLoad` measures write throughput alone. Used by `make bench-db ARGS=master-master` and
 * the master-master integration test.
 */
import type { RowDataPacket } from 'mysql2/promise';
import { request } from 'undici';
import { stopService } from '../../runner/stack/control.ts';
import type { FaultProxy } from '../../services/fault-proxy/proxy.ts';
import type { Toxic } from '../../services/fault-proxy/toxics.ts';
import { connectAsRoot, type DbTier } from '../../services/shared/db/promotion/promote.ts';
import { MASTERS } from '../../services/shared/topology/masters.ts';
import { homeMaster } from '../../services/web/db/master-pin.ts';
import { summarize } from '../core/latency.ts';
import {
  connectDb,
  currentPid,
  readStackFile,
  type StackFile,
  secretOf,
  serviceOf,
} from '../drills/stack.ts';
import { Ledger, type LedgerEntry } from '../ledger/ledger.ts';
import { rowsIn } from '../ledger/rows-in.ts';
import { judgeLedger, type LedgerVerdict } from '../ledger/verdict.ts';
import { relayReplicationThrough, replicateFrom as replicateAt } from './relay.ts';

export interface MasterWriter {
  readonly name: string;
  readonly cookie: string;
  readonly userId: bigint;
  /** The user's home master (0: mysql-primary, 1: mysql-primary-2). */
  readonly home: number;
}

const WRITE_TIMEOUT_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(origin: string, path: string, body: unknown, headers = {}) {
  const res = await request(`${origin}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
    headersTimeout: WRITE_TIMEOUT_MS,
    bodyTimeout: WRITE_TIMEOUT_MS,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/**
 * Signs up and logs in users until `perMaster` live on each master (bounded: at most 8× as many
 * sign-ups as wanted), so the load is split evenly whatever the hash gives the first ids.
 */
export async function signUpWriters(
  origin: string,
  perMaster: number,
  prefix: string,
): Promise<MasterWriter[]> {
  const out: MasterWriter[] = [];
  const count = [0, 0];
  for (let i = 0; out.length < 2 * perMaster && i < 16 * perMaster; i++) {
    const credentials = { username: `${prefix}_${i}`, password: 'bench-password' };
    const made = await post(origin, '/api/users', credentials);
    if (made.status !== 201) throw new Error(`sign-up answered ${made.status}: ${made.text}`);
    const userId = BigInt((JSON.parse(made.text) as { id: number | string }).id);
    const home = homeMaster(userId, MASTERS.length);
    if ((count[home] ?? 0) >= perMaster) continue;
    const login = await post(origin, '/api/sessions', credentials);
    if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    const cookie = [login.headers['set-cookie'] ?? []]
      .flat()
      .map((c) => c.split(';')[0])
      .join('; ');
    out.push({ name: credentials.username, cookie, userId, home });
    count[home] = (count[home] ?? 0) + 1;
  }
  if (out.length < 2 * perMaster) throw new Error('could not find enough users for both masters');
  return out;
}

/** One write: ledger entry, X-DB of the answer. */
interface Written {
  readonly entry: LedgerEntry;
  readonly writer: MasterWriter;
  readonly xdb: string;
}

/** A key sent again after its first answer was a 2xx (a client retrying a write it timed out on). */
interface Retried {
  readonly key: string;
  readonly writer: MasterWriter;
  readonly firstId: string;
  /** The retry's status, id (an idempotent replay returns the first id) and X-DB. */
  readonly status: number;
  readonly id: string | undefined;
  readonly xdb: string;
}

interface Load {
  readonly ledger: Ledger;
  readonly written: Written[];
  readonly retried: Retried[];
  readonly t0: number;
  stop(): Promise<void>;
}

export const ledgerBody = (key: string) => `master-master ledger ${key}`;

/** One attempt of a keyed post: what the ledger records, and the X-DB of the answer. */
async function attempt(origin: string, writer: MasterWriter, key: string, t0: number) {
  const at = performance.now() - t0;
  let status = 0;
  let code = '';
  let xdb = '';
  let id: string | undefined;
  try {
    const res = await post(
      origin,
      '/api/posts',
      { body: ledgerBody(key) },
      { cookie: writer.cookie, 'idempotency-key': key },
    );
    status = res.status;
    xdb = String(res.headers['x-db'] ?? '');
    if (status === 201) id = String((JSON.parse(res.text) as { id: number | string }).id);
    else code = (JSON.parse(res.text) as { error?: { code?: string } }).error?.code ?? '';
  } catch (error) {
    code = (error as Error).name;
  }
  return { attempt: { at, ms: performance.now() - t0 - at, status, code }, id, xdb };
}

/**
 * Starts one closed-loop writer per (writer, origin) pair; each writes as soon as answered. With
 * `retryAfterMs`, every acknowledged key is also sent again that long after its answer, through
 * the same web server (the loop goes on meanwhile), as a client that timed out would.
 */
function startLoad(
  origins: readonly string[],
  writers: readonly MasterWriter[],
  run: string,
  retryAfterMs?: number,
): Load {
  const ledger = new Ledger();
  const written: Written[] = [];
  const retried: Retried[] = [];
  const retries = new Set<Promise<void>>();
  const t0 = performance.now();
  let stopped = false;
  let n = 0;
  const retry = (writer: MasterWriter, origin: string, entry: LedgerEntry, firstId: string) => {
    const done = sleep(retryAfterMs ?? 0)
      .then(() => attempt(origin, writer, entry.key, t0))
      .then((r) => {
        ledger.record(entry, r.attempt);
        retried.push({
          key: entry.key,
          writer,
          firstId,
          status: r.attempt.status,
          id: r.id,
          xdb: r.xdb,
        });
      })
      .finally(() => retries.delete(done));
    retries.add(done);
  };
  const loop = async (writer: MasterWriter, origin: string) => {
    while (!stopped) {
      const key = `mm-${run}-${n++}`;
      const entry = ledger.open({ key, kind: 'post', user: writer.name, body: ledgerBody(key) });
      const r = await attempt(origin, writer, key, t0);
      ledger.record(entry, r.attempt, { id: r.id });
      written.push({ entry, writer, xdb: r.xdb });
      const status = r.attempt.status;
      if (retryAfterMs !== undefined && r.id !== undefined) retry(writer, origin, entry, r.id);
      // A refused write backs off a little, as a client would, instead of spinning.
      if (status < 200 || status >= 300) await sleep(50);
    }
  };
  const running = writers.flatMap((w) => origins.map((o) => loop(w, o)));
  return {
    ledger,
    written,
    retried,
    t0,
    async stop() {
      stopped = true;
      await Promise.all(running);
      while (retries.size > 0) await Promise.allSettled([...retries]);
    },
  };
}

const ok = (w: Written) =>
  (w.entry.attempts[0]?.status ?? 0) >= 200 && (w.entry.attempts[0]?.status ?? 0) < 300;
const doneAt = (w: Written) => (w.entry.attempts[0]?.at ?? 0) + (w.entry.attempts[0]?.ms ?? 0);

export interface WriteLoadResult {
  readonly acknowledged: number;
  readonly writesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Acknowledged writes by the master X-DB named. */
  readonly byMaster: Readonly<Record<string, number>>;
  readonly refused: number;
}

/** Write throughput: every writer on every origin for `seconds`, closed loop. */
export async function runWriteLoad(
  origins: readonly string[],
  writers: readonly MasterWriter[],
  seconds: number,
): Promise<WriteLoadResult> {
  const load = startLoad(origins, writers, Date.now().toString(36));
  await sleep(seconds * 1000);
  await load.stop();
  const elapsed = (performance.now() - load.t0) / 1000;
  const acked = load.written.filter(ok);
  const byMaster: Record<string, number> = {};
  for (const w of acked) byMaster[w.xdb] = (byMaster[w.xdb] ?? 0) + 1;
  const latency = summarize(acked.map((w) => w.entry.attempts[0]?.ms ?? 0));
  return {
    acknowledged: acked.length,
    writesPerSecond: acked.length / elapsed,
    p50Ms: latency.p50,
    p99Ms: latency.p99,
    byMaster,
    refused: load.written.length - acked.length,
  };
}

export interface MasterKillSettings {
  readonly stackFile: string;
  /** http://host:port of each web server (the writes skip the LB). */
  readonly origins: readonly string[];
  readonly writers: readonly MasterWriter[];
  readonly beforeMs: number;
  readonly afterMs: number;
  /** 0, or how long the masters' link is cut before the kill. */
  readonly partitionMs: number;
  /** The master killed (1: mysql-primary-2, whose users then write on mysql-primary). */
  readonly victim: 0 | 1;
}

export interface MasterKillResult {
  readonly survivor: string;
  readonly acknowledged: number;
  readonly acknowledgedBeforeKill: number;
  /** Acknowledged by the victim (X-DB) before it died. */
  readonly acknowledgedByVictim: number;
  /** Acknowledged by the survivor for the victim's users, after the kill. */
  readonly movedToSurvivor: number;
  /** From the kill until the first write of a victim's user acknowledged by the survivor. */
  readonly writesBackMs: number;
  readonly writeP50Ms: number;
  readonly writeP99Ms: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly verdict: LedgerVerdict;
}

const PARTITION: Toxic = {
  name: 'partition',
  type: 'timeout',
  stream: 'downstream',
  toxicity: 1,
  attributes: { timeout: 0 },
};

function tierOf(stack: StackFile): DbTier {
  return {
    servers: [],
    rootUser: stack.mysql.rootUser,
    rootPassword: secretOf(stack, 'mysql-root-password'),
    replicationUser: stack.mysql.replicationUser,
    replicationPassword: secretOf(stack, 'mysql-replication-password'),
  };
}

/** Master `i`'s MariaDB as the relay module names it. */
function masterAt(stack: StackFile, i: number) {
  const self = serviceOf(stack, MASTERS[i]?.name ?? '');
  return { name: self.name, host: self.host, port: self.ports.mysql ?? 0 };
}

/** Points master `i`'s replication at host:port (STOP SLAVE, CHANGE MASTER, START SLAVE). */
async function replicateFrom(stack: StackFile, i: number, host: string, port: number) {
  await replicateAt(tierOf(stack), masterAt(stack, i), { host, port }, { waitForIo: true });
}

/** Master `i` replicates from the other through a relay of its own (a fault proxy). */
async function relayOne(stack: StackFile, i: number, say: (line: string) => void) {
  const m = masterAt(stack, i);
  const other = serviceOf(stack, MASTERS[1 - i]?.name ?? '');
  const relay = await relayReplicationThrough(
    tierOf(stack),
    m,
    { host: other.host, port: other.ports.mysql ?? 0 },
    { waitForIo: true },
  );
  say(`${m.name} replicates from ${other.name} through 127.0.0.1:${relay.port}`);
  return relay;
}

/** Each master replicates from the other through a relay of its own; resolves once both do. */
async function relayMasters(stack: StackFile, say: (line: string) => void): Promise<FaultProxy[]> {
  const relays: FaultProxy[] = [];
  try {
    for (const i of MASTERS.keys()) relays.push(await relayOne(stack, i, say));
  } catch (error) {
    await Promise.allSettled(relays.map((r) => r.disable()));
    throw error;
  }
  return relays;
}

/** Waits (bounded) until the survivor has applied everything it received from the victim. */
async function drainRelayLog(stack: StackFile, survivor: string): Promise<void> {
  const s = serviceOf(stack, survivor);
  const db = await connectAsRoot(tierOf(stack), { host: s.host, port: s.ports.mysql ?? 0 });
  try {
    for (let n = 0; n < 100; n++) {
      const [rows] = await db.query<RowDataPacket[]>('SHOW SLAVE STATUS');
      const r = rows[0];
      const applied =
        r === undefined ||
        r.Slave_SQL_Running !== 'Yes' ||
        (r.Relay_Master_Log_File === r.Master_Log_File &&
          Number(r.Exec_Master_Log_Pos) >= Number(r.Read_Master_Log_Pos));
      if (applied) return;
      await sleep(100);
    }
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** The ledger's posts and keys as `server` holds them. */
export async function judgeOn(
  stack: StackFile,
  server: string,
  ledger: Ledger,
): Promise<LedgerVerdict> {
  const db = await connectDb(stack, server);
  const posts = new Map<string, string[]>();
  const keys = new Map<string, number>();
  try {
    const found = await rowsIn(
      db,
      'SELECT id, body FROM posts WHERE body IN (?)',
      ledger.entries.map((e) => e.body ?? ''),
      30_000,
    );
    for (const r of found)
      posts.set(String(r.body), [...(posts.get(String(r.body)) ?? []), String(r.id)]);
    const claimed = await rowsIn(
      db,
      'SELECT idem_key, COUNT(*) AS n FROM idempotency_keys WHERE idem_key IN (?) GROUP BY idem_key',
      ledger.entries.map((e) => e.key),
      30_000,
    );
    for (const r of claimed) keys.set(String(r.idem_key), Number(r.n));
  } finally {
    await db.end().catch(() => undefined);
  }
  return judgeLedger(ledger.entries, {
    posts,
    keys,
    media: new Map(),
    unreadable: new Map(),
    queued: false,
  });
}

export async function runMasterKill(
  s: MasterKillSettings,
  say: (line: string) => void,
): Promise<MasterKillResult> {
  const stack = readStackFile(s.stackFile);
  const victim = MASTERS[s.victim];
  const survivor = MASTERS[1 - s.victim] ?? MASTERS[0];
  const relays = s.partitionMs > 0 ? await relayMasters(stack, say) : [];
  const load = startLoad(s.origins, s.writers, Date.now().toString(36));
  let killedAt = Number.NaN;
  try {
    await sleep(s.beforeMs);
    for (const relay of relays) relay.addToxic(PARTITION);
    if (relays.length > 0) {
      say(`the masters' link cut for ${s.partitionMs} ms before the kill`);
      await sleep(s.partitionMs);
    }
    killedAt = performance.now() - load.t0;
    await stopService(s.stackFile, victim.name, { signal: 'SIGKILL' });
    // What the relays held back dies with the victim's host.
    await Promise.all(relays.map((r) => r.disable()));
    say(`${victim.name} killed at ${(killedAt / 1000).toFixed(1)} s`);
    await sleep(s.afterMs);
  } finally {
    // On an error too: the loops and the relays' listeners would keep the process alive.
    await load.stop();
    await Promise.allSettled(relays.map((r) => r.disable()));
  }
  await drainRelayLog(stack, survivor.name);

  const acked = load.written.filter(ok);
  const before = acked.filter((w) => doneAt(w) <= killedAt);
  const moved = acked.filter(
    (w) => w.writer.home === s.victim && (w.entry.attempts[0]?.at ?? 0) > killedAt,
  );
  const back = moved.reduce((first, w) => Math.min(first, doneAt(w)), Number.POSITIVE_INFINITY);
  const refused: Record<string, number> = {};
  for (const w of load.written.filter((x) => !ok(x))) {
    const status = String(w.entry.attempts[0]?.status ?? 0);
    refused[status] = (refused[status] ?? 0) + 1;
  }
  const latency = summarize(before.map((w) => w.entry.attempts[0]?.ms ?? 0));
  return {
    survivor: survivor.name,
    acknowledged: acked.length,
    acknowledgedBeforeKill: before.length,
    acknowledgedByVictim: before.filter((w) => w.xdb === victim.label).length,
    movedToSurvivor: moved.filter((w) => w.xdb === survivor.label).length,
    writesBackMs: Number.isFinite(back) ? back - killedAt : Number.NaN,
    writeP50Ms: latency.p50,
    writeP99Ms: latency.p99,
    refused,
    verdict: await judgeOn(stack, survivor.name, load.ledger),
  };
}

export interface FailbackSettings {
  readonly stackFile: string;
  readonly origins: readonly string[];
  readonly writers: readonly MasterWriter[];
  /** The master paused (SIGSTOP) and resumed; it must be up and taking writes. */
  readonly returning: 0 | 1;
  /** Load before the pause; the pause (longer than DB_MASTER_DOWN_AFTER_MS). */
  readonly beforeMs: number;
  readonly pauseMs: number;
  /** How long its users' writes may take to come back to it; load after that. */
  readonly backWithinMs: number;
  readonly afterMs: number;
  /** Every acknowledged key is sent again this long after its answer. */
  readonly retryAfterMs: number;
  /** Added to the other master's binlog on its way to the returning one (a fault-proxy relay). */
  readonly replicationLatencyMs: number;
}

export interface FailbackResult {
  readonly ledger: Ledger;
  readonly acknowledged: number;
  /** Writes of the returning master's users written elsewhere during the outage (X-DB). */
  readonly movedAway: number;
  /** Writes of its users it acknowledged (X-DB) after it was resumed. */
  readonly takenBack: number;
  /** From the resume until its first such write. */
  readonly backMs: number;
  readonly retries: number;
  /** Retries answered 2xx with another id than the first answer: the same write made twice. */
  readonly writtenTwice: readonly Retried[];
}

/**
 * Failback under write load whose keys are retried: one master is paused until its users' writes
 * move to the other, then resumed while its replication from the other runs `replicationLatencyMs`
 * behind (so it is still catching up when it answers again). Its users' writes go back to it once
 * it has caught up; no retry may write a post again. Its replication goes straight to the other
 * master again before this returns.
 */
export async function runFailback(
  s: FailbackSettings,
  say: (line: string) => void,
): Promise<FailbackResult> {
  const stack = readStackFile(s.stackFile);
  const master = MASTERS[s.returning];
  const other = serviceOf(stack, MASTERS[1 - s.returning]?.name ?? '');
  const relay = await relayOne(stack, s.returning, say);
  relay.addToxic({
    name: 'lag',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: s.replicationLatencyMs, jitter: 0 },
  });
  const pid = currentPid(stack, master.name);
  if (pid === undefined) throw new Error(`${master.name} has no pid`);
  const load = startLoad(s.origins, s.writers, Date.now().toString(36), s.retryAfterMs);
  let pausedAt = Number.NaN;
  let resumedAt = Number.NaN;
  const mine = (w: Written) => ok(w) && w.writer.home === s.returning;
  const takenBack = () =>
    load.written.filter(
      (w) => mine(w) && w.xdb === master.label && (w.entry.attempts[0]?.at ?? 0) > resumedAt,
    );
  try {
    await sleep(s.beforeMs);
    pausedAt = performance.now() - load.t0;
    process.kill(pid, 'SIGSTOP');
    await sleep(s.pauseMs);
    process.kill(pid, 'SIGCONT');
    resumedAt = performance.now() - load.t0;
    say(
      `${master.name} paused at ${(pausedAt / 1000).toFixed(1)} s, resumed ${s.pauseMs} ms later`,
    );
    for (let waited = 0; takenBack().length === 0 && waited < s.backWithinMs; waited += 100)
      await sleep(100);
    await sleep(s.afterMs);
  } finally {
    if (Number.isNaN(resumedAt) && !Number.isNaN(pausedAt)) process.kill(pid, 'SIGCONT');
    await load.stop();
    await replicateFrom(stack, s.returning, other.host, other.ports.mysql ?? 0).finally(() =>
      relay.disable(),
    );
  }
  const back = takenBack().reduce((first, w) => Math.min(first, doneAt(w)), Infinity);
  return {
    ledger: load.ledger,
    acknowledged: load.written.filter(ok).length,
    movedAway: load.written.filter(
      (w) => mine(w) && w.xdb !== master.label && (w.entry.attempts[0]?.at ?? 0) > pausedAt,
    ).length,
    takenBack: takenBack().length,
    backMs: Number.isFinite(back) ? back - resumedAt : Number.NaN,
    retries: load.retried.length,
    writtenTwice: load.retried.filter(
      (r) => r.status >= 200 && r.status < 300 && r.id !== r.firstId,
    ),
  };
}
