/**
 * The control loop, the I/O around the pure policy: every AUTOSCALE_INTERVAL_MS it reads the LB's
 * /stats.json (and, for the `cpu` metric, each server's CPU), asks the actuator how many servers
 * each pool has, decides per pool (policy.ts), logs every decision with its inputs, records it as
 * metrics, and hands a change to the actuator. A pool being scaled is not decided on again until
 * the action finished. AUTOSCALE=off: it reports the signals and decides nothing.
 */
import type { Logger } from '../shared/logger.ts';
import type { Actuation, Actuator } from './actuators/actuator.ts';
import type { AutoscalerConfig } from './config.ts';
import { CpuReader } from './cpu.ts';
import type { AutoscalerMetrics, DecisionReason } from './metrics.ts';
import { REASONS } from './metrics.ts';
import { decide, emptyHistory, type History, remember } from './policy.ts';
import { type LbPoolSnapshot, metricOf, type PoolSignals, poolSignals } from './signals.ts';

export interface PoolStatus {
  readonly pool: string;
  readonly at: string;
  readonly current: number | null;
  readonly desired: number | null;
  readonly reason: DecisionReason;
  readonly metric: number | null;
  readonly signals: PoolSignals | null;
  readonly lastAction: Actuation | null;
  /** When this pool was last scaled out / in (the policy's cooldown clocks). */
  readonly lastScaleOutAt: string | null;
  readonly lastScaleInAt: string | null;
}

interface LbStats {
  readonly pools: readonly LbPoolSnapshot[];
}

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

export class Autoscaler {
  readonly #c: AutoscalerConfig;
  readonly #actuator: Actuator;
  readonly #m: AutoscalerMetrics;
  readonly #log: Logger;
  readonly #cpu: CpuReader;
  readonly #history = new Map<string, History>();
  readonly #before = new Map<string, { at: number; snapshot: LbPoolSnapshot }>();
  readonly #acting = new Map<string, Promise<void>>();
  readonly #status = new Map<string, PoolStatus>();
  readonly #lastAction = new Map<string, Actuation>();
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(c: AutoscalerConfig, actuator: Actuator, m: AutoscalerMetrics, log: Logger) {
    this.#c = c;
    this.#actuator = actuator;
    this.#m = m;
    this.#log = log;
    this.#cpu = new CpuReader(c.boxCpus, c.signalTimeoutMs);
  }

  start(): void {
    const run = () => {
      if (this.#stopped) return;
      this.#tick = this.tickOnce()
        .catch((error: unknown) => this.#log.error({ err: String(error) }, 'decision round failed'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(run, this.#c.intervalMs);
        });
    };
    run();
  }

  /** Stops deciding; waits (bounded by the actuation timeout) for actions in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#tick;
    await Promise.allSettled([...this.#acting.values()]);
  }

  status(): PoolStatus[] {
    return [...this.#status.values()];
  }

  async tickOnce(): Promise<void> {
    const at = Date.now();
    let stats: LbStats;
    let current: ReadonlyMap<string, number>;
    try {
      [stats, current] = await Promise.all([this.#stats(), this.#actuator.current()]);
    } catch (error) {
      this.#m.errors.inc({ what: 'signals' });
      this.#log.warn({ err: String(error) }, 'signals unavailable: no decision this round');
      for (const pool of this.#c.pools) this.#record(pool, at, null, null, 'no-signal', null, null);
      return;
    }
    for (const pool of this.#c.pools) await this.#decidePool(pool, at, stats, current);
  }

  async #stats(): Promise<LbStats> {
    const res = await fetch(new URL('/stats.json', this.#c.lbAdminUrl), {
      signal: AbortSignal.timeout(this.#c.signalTimeoutMs),
    });
    if (!res.ok) throw new Error(`LB stats answered ${res.status}`);
    return (await res.json()) as LbStats;
  }

  async #decidePool(
    pool: string,
    at: number,
    stats: LbStats,
    current: ReadonlyMap<string, number>,
  ): Promise<void> {
    const snapshot = stats.pools.find((p) => p.name === pool);
    const servers = current.get(pool);
    if (snapshot === undefined || servers === undefined) {
      this.#record(pool, at, servers ?? null, null, 'no-signal', null, null);
      return;
    }
    const before = this.#before.get(pool);
    this.#before.set(pool, { at, snapshot });
    const signals = poolSignals(before?.snapshot, snapshot, before ? at - before.at : 0);
    const up = snapshot.backends.flatMap((b) => (b.up && b.address ? [b.address] : []));
    const cpu = this.#c.metric === 'cpu' ? await this.#cpu.perServer(up) : null;
    if (this.#c.metric === 'cpu' && cpu === null) {
      this.#record(pool, at, servers, null, 'no-signal', null, signals);
      return;
    }
    const metric = metricOf(this.#c.metric, signals, cpu ?? 0);
    if (!this.#c.enabled) return this.#record(pool, at, servers, null, 'disabled', metric, signals);
    if (this.#acting.has(pool)) {
      // No decision while servers come or go, but the window remembers the load meanwhile.
      const h = this.#history.get(pool) ?? emptyHistory();
      this.#history.set(pool, remember({ at, current: servers, metric }, h, this.#c.policy));
      return this.#record(pool, at, servers, null, 'actuating', metric, signals);
    }
    const d = decide(
      { at, current: servers, metric },
      this.#history.get(pool) ?? emptyHistory(),
      this.#c.policy,
    );
    this.#history.set(pool, d.history);
    this.#record(pool, at, servers, d.desired, d.reason, metric, signals, d.raw);
    if (d.desired !== servers) this.#act(pool, servers, d.desired);
  }

  #act(pool: string, from: number, to: number): void {
    const t = performance.now();
    const work = this.#actuator.scaleTo(pool, to).then(
      (result) => {
        this.#lastAction.set(pool, result);
        for (const s of result.servers) {
          this.#m.scaled.inc({ pool, action: s.action });
          if (s.readyMs !== null) this.#m.ready.observe({ pool }, s.readyMs / 1000);
          if (s.slowStart) {
            this.#m.slowStarts.inc({ pool });
            this.#log.warn({ pool, server: s.name, readyMs: s.readyMs }, 'slow start');
          }
          if (s.action === 'failed') this.#m.errors.inc({ what: 'start' });
        }
        this.#log.info(
          {
            pool,
            from,
            to,
            now: result.replicas,
            ms: Math.round(performance.now() - t),
            servers: result.servers,
          },
          'scaled',
        );
      },
      (error: unknown) => {
        this.#m.errors.inc({ what: 'actuation' });
        this.#log.error({ pool, from, to, err: String(error) }, 'scaling failed');
      },
    );
    const tracked = work.finally(() => this.#acting.delete(pool));
    this.#acting.set(pool, tracked);
  }

  #record(
    pool: string,
    at: number,
    current: number | null,
    desired: number | null,
    reason: DecisionReason,
    metric: number | null,
    signals: PoolSignals | null,
    raw?: number,
  ): void {
    const status: PoolStatus = {
      pool,
      at: new Date(at).toISOString(),
      current,
      desired,
      reason,
      metric,
      signals,
      lastAction: this.#lastAction.get(pool) ?? null,
      lastScaleOutAt: iso(this.#history.get(pool)?.lastScaleOutAt),
      lastScaleInAt: iso(this.#history.get(pool)?.lastScaleInAt),
    };
    this.#status.set(pool, status);
    const m = this.#m;
    const name = this.#c.metric;
    if (current !== null) m.current.set({ pool }, current);
    if (desired !== null) m.desired.set({ pool }, desired);
    if (metric !== null) m.metric.set({ pool, metric: name }, metric);
    m.target.set({ pool, metric: name }, this.#c.policy.target);
    for (const r of REASONS) m.reason.set({ pool, reason: r }, r === reason ? 1 : 0);
    m.decisions.inc({ pool, reason });
    const fields = {
      pool,
      reason,
      current,
      desired,
      raw,
      metric: name,
      value: metric === null ? null : Number(metric.toFixed(3)),
      target: this.#c.policy.target,
      inflightPerServer: signals ? Number(signals.inflightPerServer.toFixed(2)) : null,
      rpsPerServer: signals ? Number(signals.rpsPerServer.toFixed(1)) : null,
      meanLatencyMs: signals?.meanLatencyS == null ? null : Math.round(signals.meanLatencyS * 1000),
      inRotation: signals?.current ?? null,
    };
    // Every decision is logged with its inputs.
    this.#log.info(
      fields,
      desired !== null && desired !== current ? 'decision: scale' : 'decision',
    );
  }
}
