/**
 * The primary process when LB_WORKERS > 1: runs the control plane (DNS, health checks, passive
 * ejections reported by workers) and the admin listener; forks the workers, which share the
 * listening ports (the kernel spreads connections), and sends them the membership and health view
 * after every change, so stickiness, health and stats agree across workers.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../../shared/logger.ts';
import { createAdminServer } from '../admin/server.ts';
import { mergeSnapshots, type StatsSnapshot, takeSnapshot } from '../admin/stats.ts';
import { defaultLookup } from '../app.ts';
import type { LbConfig } from '../config/types.ts';
import { listen, type Ports } from '../listeners/listen.ts';
import { loadTlsMaterial } from '../listeners/tls.ts';
import { ControlPlane } from '../pools/control.ts';
import { Registry } from '../pools/registry.ts';
import { membersOf, type ToPrimary, type ToWorker } from './messages.ts';
import { CRASH_WINDOW_MS, CrashWindow, MAX_CRASHES, RESPAWN_DELAY_MS } from './respawn.ts';

export interface Primary {
  readonly ports: Ports;
  /** Settles only if workers keep crashing after start-up and the primary gave up on them. */
  readonly failed: Promise<Error>;
  close(): Promise<void>;
  kill(): void;
}

type Listening = ToPrimary & { type: 'listening' };

/**
 * Rejects, with the worker's own error where it sent one, if a worker cannot start or exits before
 * every worker listens (a respawn would fail the same way). After start-up a crashed worker is
 * replaced after RESPAWN_DELAY_MS; after MAX_CRASHES within CRASH_WINDOW_MS `failed` settles.
 */
export async function runPrimary(config: LbConfig, log: Logger): Promise<Primary> {
  // Once, before forking: workers then only read the files (no race to generate them).
  if (config.tls) loadTlsMaterial(config, log);
  const registry = new Registry(config);
  const control = new ControlPlane(config, registry, log, defaultLookup(config));
  const workers = new Set<Worker>();
  const timers = new Set<NodeJS.Timeout>();
  const crashes = new CrashWindow();
  let closing = false;
  let started = false;
  let nextId = 0;
  const waiting = new Map<number, { got: StatsSnapshot[]; expect: number; done: () => void }>();
  const send = (w: Worker, m: ToWorker) => {
    if (w.isConnected()) w.send(m);
  };
  const stopAll = () => {
    closing = true;
    for (const t of timers) clearTimeout(t);
    for (const w of workers) w.process.kill('SIGKILL');
  };
  registry.onChange(() => {
    const m = membersOf(registry);
    for (const w of workers) send(w, m);
  });
  await control.start();

  let onListening: (m: Listening) => void = () => {};
  let startupFailed: (error: Error) => void = () => {};
  let giveUp: (error: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => {
    giveUp = resolve;
  });
  const workerError = new Map<Worker, string>();
  const onExit = (w: Worker, code: number | null, signal: string | null) => {
    if (closing) return;
    const reason = workerError.get(w) ?? (signal !== null ? `signal ${signal}` : `code ${code}`);
    if (!started) {
      startupFailed(new Error(`a worker exited during start-up (${reason})`));
      return;
    }
    if (crashes.record(Date.now())) {
      const error = new Error(
        `${MAX_CRASHES} workers crashed within ${CRASH_WINDOW_MS / 1000} s (last: ${reason}); giving up`,
      );
      log.fatal({ err: error }, 'workers keep crashing');
      giveUp(error);
      return;
    }
    log.error({ pid: w.process.pid, code, signal, reason }, 'worker exited; starting another soon');
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closing) fork();
    }, RESPAWN_DELAY_MS);
    timers.add(timer);
  };
  const fork = (): Worker => {
    const w = cluster.fork();
    workers.add(w);
    w.on('message', (m: ToPrimary) => {
      if (m.type === 'ready') {
        send(w, { type: 'config', config });
        send(w, membersOf(registry));
      } else if (m.type === 'eject') control.eject(m.key, m.reason, m.reachable);
      else if (m.type === 'listening') onListening(m);
      else if (m.type === 'failed') {
        workerError.set(w, m.message);
        log.error({ pid: w.process.pid, error: m.message }, 'worker failed');
        if (!started) startupFailed(new Error(`a worker could not start: ${m.message}`));
      } else if (m.type === 'stats') {
        const entry = waiting.get(m.id);
        if (entry === undefined) return;
        entry.got.push(m.snapshot);
        if (entry.got.length >= entry.expect) entry.done();
      }
    });
    w.on('exit', (code: number | null, signal: string | null) => {
      workers.delete(w);
      if (closing) return;
      // The worker's 'failed' message may still be on its way: give it a moment to arrive.
      setTimeout(() => onExit(w, code, signal), 100);
    });
    return w;
  };

  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const listening = new Promise<Listening>((resolve, reject) => {
    let count = 0;
    onListening = (m) => {
      if (++count === config.workers) resolve(m);
    };
    startupFailed = reject;
  });
  for (let i = 0; i < config.workers; i++) fork();
  let first: Listening;
  try {
    first = await listening;
  } catch (error) {
    stopAll();
    control.stop();
    throw error;
  }
  started = true;

  const stats = async (): Promise<StatsSnapshot> => {
    const id = ++nextId;
    const got: StatsSnapshot[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      waiting.set(id, {
        got,
        expect: workers.size,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      for (const w of workers) send(w, { type: 'stats-request', id });
    });
    waiting.delete(id);
    return mergeSnapshots(takeSnapshot(registry, new Map(), 'primary'), got);
  };
  const admin = createAdminServer(
    stats,
    `load balancer ${config.instance} (${config.workers} workers)`,
    log,
  );
  const adminPort = await listen(admin, config.adminHost, config.adminPort);

  return {
    ports: { http: first.http, https: first.https, admin: adminPort },
    failed,
    async close() {
      closing = true;
      for (const t of timers) clearTimeout(t);
      const exits = [...workers].map(
        (w) => new Promise<void>((resolve) => w.once('exit', () => resolve())),
      );
      for (const w of workers) send(w, { type: 'drain' });
      const limit = new Promise<void>((resolve) =>
        setTimeout(resolve, config.shutdownTimeoutMs + 2000).unref(),
      );
      await Promise.race([Promise.all(exits), limit]);
      for (const w of workers) w.process.kill('SIGKILL');
      control.stop();
      await new Promise<void>((resolve) => admin.close(() => resolve()));
    },
    kill: stopAll,
  };
}
