/**
 * The control plane: keeps pool membership (static targets + periodically re-resolved DNS names
 * and re-read member files)
 * and backend health (active checks with rise/fall, passive ejections) up to date in a Registry.
 * Runs in the single process, or in the primary when there are workers (which get snapshots).
 */

import { readFile } from 'node:fs/promises';
import type { Logger } from '../../shared/logger.ts';
import { parseMemberList, type TargetSpec } from '../config/pools.ts';
import type { LbConfig } from '../config/types.ts';
import { runCheck } from '../health/check.ts';
import { afterCheck, afterEject } from '../health/state.ts';
import type { Backend, CheckInfo } from './backend.ts';
import type { Lookup } from './dns.ts';
import type { Member, Registry } from './registry.ts';
import { logRouting } from './routing.ts';

/** A check that got an HTTP status, or connected and then timed out, reached the server. */
const answered = (detail: string): boolean => /^\d{3}$/.test(detail) || detail === 'timeout';

export class ControlPlane {
  readonly #config: LbConfig;
  readonly #registry: Registry;
  readonly #log: Logger;
  readonly #lookup: Lookup;
  /** Last good DNS answer per `pool|targetIndex`. */
  readonly #resolved = new Map<string, Member[]>();
  readonly #checking = new Set<Backend>();
  readonly #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(config: LbConfig, registry: Registry, log: Logger, lookup: Lookup) {
    this.#config = config;
    this.#registry = registry;
    this.#log = log;
    this.#lookup = lookup;
    registry.onRouting((pool, from, to) =>
      logRouting(log, pool.name, pool.fallback?.name, from, to),
    );
  }

  /**
   * Resolves every pool once (which checks every backend it adds, so each has had one check),
   * then keeps doing both on timers.
   */
  async start(): Promise<void> {
    await this.resolveAll();
    const { intervalMs } = this.#config.health;
    if (intervalMs > 0) this.#every(intervalMs, () => this.checkAll());
    if (this.#config.pools.some((p) => p.targets.some((t) => t.kind !== 'static')))
      this.#every(this.#config.dnsIntervalMs, () => this.resolveAll());
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
  }

  #every(ms: number, fn: () => Promise<void>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || this.#stopped) return;
      running = true;
      fn().finally(() => {
        running = false;
      });
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  async resolveAll(): Promise<void> {
    await Promise.all(
      this.#config.pools.map(async (pool) => {
        await Promise.all(pool.targets.map((t, i) => this.#resolveTarget(pool.name, t, i)));
        const members = pool.targets.flatMap(
          (_, i) => this.#resolved.get(`${pool.name}|${i}`) ?? [],
        );
        const { added, removed } = this.#registry.syncMembers(pool.name, members);
        if (added + removed > 0)
          this.#log.info(
            { pool: pool.name, added, removed, size: members.length },
            'pool membership changed',
          );
      }),
    );
    if (this.#config.health.intervalMs > 0) await this.#checkFresh();
  }

  async #resolveTarget(pool: string, target: TargetSpec, index: number): Promise<void> {
    const key = `${pool}|${index}`;
    if (target.kind === 'static') {
      this.#resolved.set(key, [{ host: target.host, port: target.port, weight: target.weight }]);
      return;
    }
    if (target.kind === 'file') {
      try {
        this.#resolved.set(key, parseMemberList(await readFile(target.path, 'utf8')));
      } catch (error) {
        this.#log.warn(
          { pool, file: target.path, err: String(error) },
          'member file unreadable; keeping the last list',
        );
      }
      return;
    }
    try {
      const addresses = await this.#lookup(target.name);
      this.#resolved.set(
        key,
        addresses.map((host) => ({ host, port: target.port, weight: target.weight })),
      );
    } catch (error) {
      this.#log.warn(
        { pool, name: target.name, err: String(error) },
        'DNS lookup failed; keeping the last answer',
      );
    }
  }

  /** Checks backends that have never been checked (just added) without waiting for the timer. */
  async #checkFresh(): Promise<void> {
    const fresh = this.#registry.all().filter((b) => b.check.result === 'never');
    await Promise.all(fresh.map((b) => this.#check(b)));
  }

  async checkAll(): Promise<void> {
    if (this.#config.health.intervalMs <= 0) return;
    await Promise.all(this.#registry.all().map((b) => this.#check(b)));
  }

  async #check(b: Backend): Promise<void> {
    if (this.#checking.has(b) || b.removed || this.#stopped) return;
    this.#checking.add(b);
    const { path, timeoutMs, rise, fall } = this.#config.health;
    try {
      const r = await runCheck(b.host, b.port, b.address, path, timeoutMs);
      if (b.removed) return;
      const next = r.draining ? afterEject(b.health) : afterCheck(b.health, r.passed, rise, fall);
      if (next.up !== b.up) {
        const fields = { backend: b.key, check: r.detail };
        if (next.up) this.#log.info(fields, 'backend up');
        else if (r.draining) this.#log.info(fields, 'backend draining: out of rotation');
        else this.#log.warn(fields, 'backend down');
      }
      const check: CheckInfo = {
        result: r.passed ? 'passed' : 'failed',
        detail: r.draining ? `${r.detail} draining` : r.detail,
        at: Date.now(),
        durationMs: r.durationMs,
      };
      this.#registry.setHealth(b, next, check, !r.draining && (r.passed || answered(r.detail)));
    } finally {
      this.#checking.delete(b);
    }
  }

  /**
   * A worker (or this process) saw the backend fail: down until it passes `rise` checks.
   * `reachable` is false when it refused the connection (a panicking pool skips it then).
   */
  eject(key: string, reason: string, reachable: boolean): void {
    const b = this.#registry.backend(key);
    if (b === undefined || !b.up || this.#config.health.intervalMs <= 0) return;
    b.counters.ejections++;
    this.#log.warn({ backend: key, reason }, 'backend ejected');
    this.#registry.setHealth(b, afterEject(b.health), null, reachable);
  }
}
