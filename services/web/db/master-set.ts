/**
 * DB_TOPOLOGY=master-master: the two writable servers, probed in the background, and where one
 * user's write goes now (master-pin.ts: the user's home master while it is up, the other one while
 * it is down; master-health.ts: what "down" means, and failback only once caught up). Each probe
 * reads the master's @@gtid_current_pos, which the catch-up check compares. Probes run one at a time per master, each with
 * a deadline, so a paused master holds at most one pooled connection for them.
 */
import { dbFailureOf } from '../../shared/db/errors.ts';
import type { DbTarget, Row } from '../../shared/db/target.ts';
import { withDeadline } from '../../shared/deadline.ts';
import { MASTERS } from '../../shared/topology/masters.ts';
import {
  type Availability,
  caughtUp,
  type MasterProbeState,
  masterIsUp,
  nextAvailability,
} from './master-health.ts';
import { chooseMaster, homeMaster } from './master-pin.ts';

export interface MasterSetOptions {
  /** DB_MASTER_PROBE_INTERVAL_MS */
  readonly probeIntervalMs: number;
  /** DB_MASTER_DOWN_AFTER_MS: no answer for this long marks a master down. */
  readonly downAfterMs: number;
}

export interface MasterChange {
  readonly master: string;
  readonly up: boolean;
}

export class MasterSet {
  readonly targets: readonly DbTarget[];
  readonly #options: MasterSetOptions;
  readonly #states: MasterProbeState[];
  readonly #probing: boolean[];
  readonly #onChange: (change: MasterChange) => void;
  /** Each master's @@gtid_current_pos at its last answer, and at the one before. */
  readonly #position: string[];
  readonly #previous: string[];
  #availability: Availability[];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    targets: readonly DbTarget[],
    options: MasterSetOptions,
    onChange: (change: MasterChange) => void = () => {},
  ) {
    this.targets = targets;
    this.#options = options;
    const now = performance.now();
    this.#states = targets.map(() => ({ lastAnswerAt: undefined, since: now, lastFailed: false }));
    this.#probing = targets.map(() => false);
    this.#position = targets.map(() => '');
    this.#previous = targets.map(() => '');
    this.#availability = targets.map(() => ({ up: true, recovering: false }));
    this.#onChange = onChange;
  }

  /** Which masters take writes now (answering, and caught up after an outage). */
  up(now = performance.now()): boolean[] {
    const answering = this.targets.map((t, i) =>
      masterIsUp(this.#states[i] as MasterProbeState, !t.available, now, this.#options.downAfterMs),
    );
    const next = this.#availability.map((previous, i) => {
      const j = 1 - i;
      const caught =
        answering[j] !== true ||
        caughtUp(this.#position[i] ?? '', this.#previous[j] ?? '', MASTERS[j]?.gtidDomainId ?? 0);
      return nextAvailability(previous, answering[i] === true, caught);
    });
    next.forEach((a, i) => {
      const before = this.#availability[i];
      if (a.up !== before?.up)
        this.#onChange({ master: this.targets[i]?.name ?? String(i), up: a.up });
    });
    this.#availability = next;
    return next.map((a) => a.up);
  }

  /** The user's home master (index), whatever its state. */
  homeOf(userId: bigint): number {
    return homeMaster(userId, this.targets.length);
  }

  /** The master (index) that takes this user's write now. */
  pick(userId: bigint): number {
    return chooseMaster(this.homeOf(userId), this.up());
  }

  /** One round of probes (the timer's job; tests call it directly). */
  async probe(): Promise<void> {
    await Promise.all(this.targets.map((_, i) => this.#probeOne(i)));
    this.up();
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.probe(), this.#options.probeIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #probeOne(i: number): Promise<void> {
    const target = this.targets[i];
    if (target === undefined || this.#probing[i]) return;
    this.#probing[i] = true;
    const deadline = this.#options.downAfterMs;
    const state = this.#states[i] as MasterProbeState;
    try {
      const [row] = await withDeadline(
        target.withSession(
          (s) => s.rows<Row & { pos: string | null }>('SELECT @@GLOBAL.gtid_current_pos AS pos'),
          { acquireMs: deadline },
        ),
        deadline,
      );
      this.#previous[i] = this.#position[i] ?? '';
      this.#position[i] = row?.pos ?? '';
      this.#states[i] = { ...state, lastAnswerAt: performance.now(), lastFailed: false };
    } catch (error) {
      // Slow or busy is not down (the window judges it); refused or reset is.
      this.#states[i] = { ...state, lastFailed: dbFailureOf(error) === 'down' };
    } finally {
      this.#probing[i] = false;
    }
  }
}
