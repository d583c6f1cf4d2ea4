/**
 * Scaling a web pool natively (AUTOSCALE=on), owned by the runner that supervises the stack so the
 * servers it starts are supervised like the others. Adding: start a standby slot in its own box
 * and wait until it answers /health/ready (the supervisor's start), only then write it into the
 * pool's member file and wait until the LB routes to it. Removing: take it out of the member file
 * first, wait until the LB has dropped it (no new request goes there), then SIGTERM: the web
 * server finishes what it has in flight and closes its keep-alive connections. Starts slower than
 * `slowStartMs` are reported. One operation per pool at a time.
 */
import type { WebPool } from '../../services/shared/topology/addresses.ts';
import { scaledPools } from '../../services/shared/topology/autoscale.ts';
import type { PlannedService, StackPlan } from '../../services/shared/topology/plan.ts';
import type { Output } from '../logs/output.ts';
import type { Supervisor } from '../process/supervision/supervisor.ts';
import { type BackendView, waitForBackend } from './lb-view.ts';
import { addressOf, writeMembers } from './member-files.ts';

export interface ScaleStep {
  readonly name: string;
  readonly address: string;
  readonly action: 'added' | 'removed' | 'failed';
  /** Added: launch to /health/ready. */
  readonly readyMs: number | null;
  /** Added: until the LB routed to it; removed: until the LB dropped it. */
  readonly rotationMs: number | null;
  /** The LB did what was waited for before the deadline. */
  readonly lbFollowed: boolean;
  readonly slowStart: boolean;
  readonly error?: string;
}

export interface PoolState {
  readonly pool: WebPool;
  /** Instance names in the member file, in slot order. */
  readonly members: readonly string[];
  readonly slots: number;
}

export interface ScaleResult extends PoolState {
  readonly steps: readonly ScaleStep[];
}

export class ScaleError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface PoolScalerOptions {
  readonly plan: StackPlan;
  readonly stackDir: string;
  readonly supervisor: Supervisor;
  readonly out: Output;
  readonly onChange: () => void;
  /** How long to wait for the LB to route to a new server or drop a leaving one. */
  readonly rotationTimeoutMs?: number;
  readonly slowStartMs?: number;
}

const since = (t: number) => Math.round(performance.now() - t);

export class PoolScaler {
  readonly #o: PoolScalerOptions;
  readonly #slots = new Map<WebPool, readonly PlannedService[]>();
  readonly #members = new Map<WebPool, PlannedService[]>();
  readonly #ops = new Map<WebPool, Promise<unknown>>();
  readonly #statsUrl: string;

  constructor(options: PoolScalerOptions) {
    this.#o = options;
    for (const pool of scaledPools(options.plan.flags)) {
      const slots = options.plan.services.filter((s) => s.kind === 'web' && s.pool === pool);
      this.#slots.set(pool, slots);
      this.#members.set(
        pool,
        slots.filter((s) => s.standby !== true),
      );
    }
    const lb = options.plan.services.find((s) => s.kind === 'lb');
    this.#statsUrl = lb ? `http://${lb.host}:${String(lb.ports.admin)}/stats.json` : '';
  }

  pools(): PoolState[] {
    return [...this.#slots.keys()].map((pool) => this.#state(pool));
  }

  #state(pool: WebPool): PoolState {
    return {
      pool,
      members: (this.#members.get(pool) ?? []).map((s) => s.name),
      slots: this.#slots.get(pool)?.length ?? 0,
    };
  }

  /** Adds or removes servers until the pool has `replicas` members (1 to its slot count). */
  scaleTo(pool: string, replicas: number): Promise<ScaleResult> {
    const slots = this.#slots.get(pool as WebPool);
    if (slots === undefined)
      return Promise.reject(
        new ScaleError(
          'STACK_ERR_NOT_SCALED',
          `pool ${pool} is not scaled (scaled: ${[...this.#slots.keys()].join(', ') || 'none: AUTOSCALE=off'})`,
        ),
      );
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > slots.length)
      return Promise.reject(
        new ScaleError(
          'STACK_ERR_BAD_REPLICAS',
          `replicas must be an integer from 1 to ${slots.length} (AUTOSCALE_MAX) for ${pool}`,
        ),
      );
    const p = pool as WebPool;
    const op = () => this.#scale(p, replicas);
    const run = (this.#ops.get(p) ?? Promise.resolve()).then(op, op);
    this.#ops.set(
      p,
      run.catch(() => undefined),
    );
    return run;
  }

  /** One more (`+1`) or one fewer (`-1`) server. */
  async step(pool: string, by: 1 | -1): Promise<ScaleResult> {
    const members = this.#members.get(pool as WebPool)?.length ?? 0;
    return this.scaleTo(pool, members + by);
  }

  async #scale(pool: WebPool, replicas: number): Promise<ScaleResult> {
    const members = this.#members.get(pool) ?? [];
    const steps =
      replicas > members.length
        ? await this.#add(pool, replicas - members.length)
        : replicas < members.length
          ? await this.#remove(pool, members.length - replicas)
          : [];
    return { ...this.#state(pool), steps };
  }

  async #add(pool: WebPool, count: number): Promise<ScaleStep[]> {
    const members = this.#members.get(pool) ?? [];
    const free = (this.#slots.get(pool) ?? []).filter((s) => !members.includes(s)).slice(0, count);
    const slow = this.#o.slowStartMs ?? 5000;
    const started = await Promise.all(
      free.map(async (s) => {
        const t = performance.now();
        try {
          await this.#o.supervisor.start(s.name);
          return { s, readyMs: since(t), error: undefined };
        } catch (error) {
          return { s, readyMs: since(t), error: (error as Error).message.split('\n')[0] };
        }
      }),
    );
    const ready = started.filter((x) => x.error === undefined).map((x) => x.s);
    const joined = [...members, ...ready];
    const order = this.#slots.get(pool) ?? [];
    joined.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    this.#members.set(pool, joined);
    writeMembers(this.#o.stackDir, pool, joined);
    this.#o.onChange();
    const t = performance.now();
    return Promise.all(
      started.map(async ({ s, readyMs, error }): Promise<ScaleStep> => {
        const base = { name: s.name, address: addressOf(s), readyMs, slowStart: readyMs > slow };
        if (error !== undefined) {
          this.#o.out.say('error', `${s.name} did not start: not added to ${pool}`, { error });
          return { ...base, action: 'failed', rotationMs: null, lbFollowed: false, error };
        }
        const r = await this.#wait(pool, s, (v) => v.state === 'up');
        const fields = { pool, readyMs, rotationMs: since(t), lbFollowed: r };
        if (readyMs > slow)
          this.#o.out.say('warn', `${s.name} SLOW START: ready after ${readyMs} ms`, fields);
        this.#o.out.say('info', `${s.name} added to ${pool}`, fields);
        return { ...base, action: 'added', rotationMs: since(t), lbFollowed: r };
      }),
    );
  }

  async #remove(pool: WebPool, count: number): Promise<ScaleStep[]> {
    const members = this.#members.get(pool) ?? [];
    const leaving = members.slice(members.length - count);
    const staying = members.slice(0, members.length - count);
    this.#members.set(pool, staying);
    writeMembers(this.#o.stackDir, pool, staying);
    this.#o.onChange();
    const t = performance.now();
    return Promise.all(
      leaving.map(async (s): Promise<ScaleStep> => {
        // Out of rotation first: only then may the process go.
        const dropped = await this.#wait(pool, s, (v) => v.state === 'absent');
        const rotationMs = since(t);
        if (!dropped)
          this.#o.out.say('warn', `${s.name}: the LB still lists it; stopping it anyway`, {
            pool,
          });
        await this.#o.supervisor.stop(s.name);
        this.#o.out.say('info', `${s.name} removed from ${pool}`, { pool, rotationMs, dropped });
        return {
          name: s.name,
          address: addressOf(s),
          action: 'removed',
          readyMs: null,
          rotationMs,
          lbFollowed: dropped,
          slowStart: false,
        };
      }),
    );
  }

  async #wait(pool: WebPool, s: PlannedService, done: (v: BackendView) => boolean) {
    if (this.#statsUrl === '') return false;
    const { reached } = await waitForBackend(
      this.#statsUrl,
      pool,
      addressOf(s),
      done,
      this.#o.rotationTimeoutMs ?? 15_000,
    );
    return reached;
  }
}
