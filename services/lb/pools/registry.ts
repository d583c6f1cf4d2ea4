/**
 * All pools and their backends. Membership changes (static list, DNS answers, a snapshot from the
 * primary process) go through `syncMembers`, which adds and removes backends and tells the engine
 * (`hooks`) to open or release their connection pools. Health changes go through `setHealth` (or
 * `applyState` in a worker). After either, each pool recomputes its mode and routable backends,
 * and listeners hear how each pool routes now (`routing`).
 */
import type { LbConfig } from '../config/types.ts';
import { ALWAYS_UP, type HealthState } from '../health/state.ts';
import { backendToken, cookieNameFor } from '../sticky/codec.ts';
import { Backend, type CheckInfo } from './backend.ts';
import { Pool } from './pool.ts';
import { type Routing, routingOf } from './routing.ts';

export interface Member {
  readonly host: string;
  readonly port: number;
  readonly weight: number;
}

export interface RegistryHooks {
  readonly onAdd: (b: Backend) => void;
  readonly onRemove: (b: Backend) => void;
}

const NO_HOOKS: RegistryHooks = { onAdd: () => {}, onRemove: () => {} };

export type RoutingListener = (pool: Pool, from: Routing, to: Routing) => void;

export class Registry {
  readonly pools: readonly Pool[];
  readonly #byKey = new Map<string, Backend>();
  readonly #secret: string;
  readonly #checksEnabled: boolean;
  readonly #panicPercent: number;
  #hooks: RegistryHooks = NO_HOOKS;
  #listeners: Array<() => void> = [];
  #routingListeners: RoutingListener[] = [];
  readonly #routing = new Map<Pool, Routing>();

  constructor(config: LbConfig) {
    this.#secret = config.sticky.secret;
    this.#checksEnabled = config.health.intervalMs > 0;
    this.#panicPercent = config.health.panicThresholdPercent;
    this.pools = config.pools.map(
      (p, i) =>
        new Pool(p.name, i, config.algorithm, config.admission.backendMaxConnections, {
          name: cookieNameFor(config.sticky.cookieName, p.name, config.defaultPool),
          secure: config.tls,
          maxAge: config.sticky.maxAge,
        }),
    );
    for (const pool of this.pools) {
      const fallback = config.fallbacks[pool.name];
      pool.fallback = fallback === undefined ? null : (this.pool(fallback) ?? null);
      this.#routing.set(pool, routingOf(pool));
    }
  }

  setHooks(hooks: RegistryHooks): void {
    this.#hooks = hooks;
    for (const b of this.#byKey.values()) hooks.onAdd(b);
  }

  /** Called after any membership or health change. */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Called when a pool starts or stops panicking, falling back or being down. */
  onRouting(listener: RoutingListener): void {
    this.#routingListeners.push(listener);
  }

  routing(pool: Pool): Routing {
    return this.#routing.get(pool) ?? 'down';
  }

  changed(): void {
    for (const pool of this.pools) pool.refresh(this.#panicPercent);
    for (const pool of this.pools) {
      const from = this.routing(pool);
      const to = routingOf(pool);
      if (from === to) continue;
      this.#routing.set(pool, to);
      for (const l of this.#routingListeners) l(pool, from, to);
    }
    for (const l of this.#listeners) l();
  }

  pool(name: string): Pool | undefined {
    return this.pools.find((p) => p.name === name);
  }

  backend(key: string): Backend | undefined {
    return this.#byKey.get(key);
  }

  all(): Backend[] {
    return [...this.#byKey.values()];
  }

  /** Makes `pool` contain exactly `members`; returns what was added and removed. */
  syncMembers(poolName: string, members: readonly Member[]): { added: number; removed: number } {
    const pool = this.pool(poolName);
    if (pool === undefined) return { added: 0, removed: 0 };
    const next: Backend[] = [];
    let added = 0;
    let reweighted = false;
    for (const m of members) {
      const probe = new Backend(pool.name, m.host, m.port, m.weight, '');
      const existing = this.#byKey.get(probe.key);
      if (existing !== undefined) {
        reweighted ||= existing.weight !== m.weight;
        existing.weight = m.weight;
        if (!next.includes(existing)) next.push(existing);
        continue;
      }
      const token = backendToken(this.#secret, pool.name, probe.address);
      const b = new Backend(pool.name, m.host, m.port, m.weight, token);
      if (!this.#checksEnabled) {
        b.up = true;
        b.reachable = true;
        b.health = ALWAYS_UP;
      }
      this.#byKey.set(b.key, b);
      pool.byToken.set(token, b);
      this.#hooks.onAdd(b);
      next.push(b);
      added++;
    }
    let removed = 0;
    for (const old of pool.backends) {
      if (next.includes(old)) continue;
      old.removed = true;
      old.up = false;
      old.routable = false;
      this.#byKey.delete(old.key);
      pool.byToken.delete(old.token);
      this.#hooks.onRemove(old);
      removed++;
    }
    pool.backends = next;
    if (added + removed > 0 || reweighted) this.changed();
    return { added, removed };
  }

  /** A check or a passive ejection changed what is known of `b`. */
  setHealth(b: Backend, health: HealthState, check: CheckInfo | null, reachable: boolean): void {
    b.health = health;
    if (check !== null) b.check = check;
    this.applyState(b, health.up, reachable);
  }

  /** Up and reachable as the control plane decided (directly in a worker). */
  applyState(b: Backend, up: boolean, reachable: boolean): void {
    if (b.up === up && b.reachable === reachable) return;
    if (b.up !== up) b.streak.failures = 0;
    b.up = up;
    b.reachable = reachable;
    this.changed();
  }
}
