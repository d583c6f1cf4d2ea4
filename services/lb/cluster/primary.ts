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
import { ControlPlane } from '../pools/control.ts';
import { Registry } from '../pools/registry.ts';
import { membersOf, type ToPrimary, type ToWorker } from './messages.ts';

export interface Primary {
  readonly ports: Ports;
  close(): Promise<void>;
  kill(): void;
}

export async function runPrimary(config: LbConfig, log: Logger): Promise<Primary> {
  const registry = new Registry(config);
  const control = new ControlPlane(config, registry, log, defaultLookup(config));
  const workers = new Set<Worker>();
  let closing = false;
  let nextId = 0;
  const waiting = new Map<number, { got: StatsSnapshot[]; expect: number; done: () => void }>();
  const send = (w: Worker, m: ToWorker) => {
    if (w.isConnected()) w.send(m);
  };
  registry.onChange(() => {
    const m = membersOf(registry);
    for (const w of workers) send(w, m);
  });
  await control.start();

  let onListening: (m: ToPrimary & { type: 'listening' }) => void = () => {};
  const fork = (): Worker => {
    const w = cluster.fork();
    workers.add(w);
    w.on('message', (m: ToPrimary) => {
      if (m.type === 'ready') {
        send(w, { type: 'config', config });
        send(w, membersOf(registry));
      } else if (m.type === 'eject') control.eject(m.key, m.reason);
      else if (m.type === 'listening') onListening(m);
      else if (m.type === 'stats') {
        const entry = waiting.get(m.id);
        if (entry === undefined) return;
        entry.got.push(m.snapshot);
        if (entry.got.length >= entry.expect) entry.done();
      }
    });
    w.on('exit', (code, signal) => {
      workers.delete(w);
      if (closing) return;
      log.error({ pid: w.process.pid, code, signal }, 'worker exited; starting another');
      fork();
    });
    return w;
  };

  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const listening = new Promise<ToPrimary & { type: 'listening' }>((resolve) => {
    let count = 0;
    onListening = (m) => {
      if (++count === config.workers) resolve(m);
    };
  });
  for (let i = 0; i < config.workers; i++) fork();
  const first = await listening;

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
    async close() {
      closing = true;
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
    kill() {
      closing = true;
      for (const w of workers) w.process.kill('SIGKILL');
    },
  };
}
