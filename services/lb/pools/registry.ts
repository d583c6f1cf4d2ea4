/**
 * All pools and their backends. Membership changes (static list, DNS answers, a snapshot from the
 * primary process) go through `syncMembers`, which adds and removes backends and tells the engine
 * (`hooks`) to open or release their connection pools. Health changes go through `setHealth`.
 */
import type { LbConfig } from '../config/types.ts';
import { ALWAYS_UP, type HealthState } from '../health/state.ts';
import { backendToken, cookieNameFor } from '../sticky/codec.ts';
import { Backend, type CheckInfo } from './backend.ts';
import { Pool } from './pool.ts';

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

export class Registry {
  readonly pools: readonly Pool[];
  readonly #byKey = new Map<string, Backend>();
  readonly #secret: string;
  readonly #checksEnabled: boolean;
  #hooks: RegistryHooks = NO_HOOKS;
  #listeners: Array<() => void> = [];

  constructor(config: LbConfig) {
    this.#secret = config.sticky.secret;
    this.#checksEnabled = config.health.intervalMs > 0;
    this.pools = config.pools.map(
      (p, i) =>
        new Pool(p.name, i, config.algorithm, {
          name: cookieNameFor(config.sticky.cookieName, p.name, config.defaultPool),
          secure: config.tls,
          maxAge: config.sticky.maxAge,
        }),
    );
  }

  setHooks(hooks: RegistryHooks): void {
    this.#hooks = hooks;
    for (const b of this.#byKey.values()) hooks.onAdd(b);
  }

  /** Called after any membership or health change. */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  changed(): void {
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
    for (const m of members) {
      const probe = new Backend(pool.name, m.host, m.port, m.weight, '');
      const existing = this.#byKey.get(probe.key);
      if (existing !== undefined) {
        existing.weight = m.weight;
        if (!next.includes(existing)) next.push(existing);
        continue;
      }
      const token = backendToken(this.#secret, pool.name, probe.address);
      const b = new Backend(pool.name, m.host, m.port, m.weight, token);
      if (!this.#checksEnabled) {
        b.up = true;
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
      this.#byKey.delete(old.key);
      pool.byToken.delete(old.token);
      this.#hooks.onRemove(old);
      removed++;
    }
    pool.backends = next;
    if (added + removed > 0) this.changed();
    return { added, removed };
  }

  setHealth(b: Backend, health: HealthState, check: CheckInfo | null): void {
    const was = b.up;
    b.health = health;
    b.up = health.up;
    if (check !== null) b.check = check;
    if (was === b.up) return;
    b.streak.failures = 0;
    this.changed();
  }
}
