/**
 * DB_TOPOLOGY=master-master: the two writable servers, probed in the background, and where one
 * user's write goes now (master-pin.ts: the user's home master while it is up, the other one while
 * it is down; master-health.ts: what "down" means). Probes run one at a time per master, each with
 * a deadline, so a paused master holds at most one pooled connection for them.
 *
 * Failback is two-phase. A master that answers again after an outage is first only draining: its
 * users' writes still go to the other master. Then, in the background, the other master's
 * @@gtid_binlog_pos is read (now, after the draining mark, so it includes every write of theirs the
 * other master has acknowledged) and the returning master waits for it with MASTER_GTID_WAIT
 * (bounded: DB_MASTER_DOWN_AFTER_MS / 2; behind by more, it tries again at the next probe with a
 * newer position). Only when that wait succeeds does it take its users back, and their writes
 * there are held (`settled`) while the writes in flight on the other master end and it waits once
 * more for the other's position read after those (each wait retried while it answers, up to
 * SETTLE_TRIES). The same hold follows a write that went to the other master because this one
 * refused it before anything was sent (`wroteElsewhere`). So a key the other master acknowledged
 * through this web server is there when a retry of it lands on the returned master. Not
 * covered: a retry through another web server that flipped earlier (each web server fails back on
 * its own probes, up to one probe interval apart).
 */
import { dbFailureOf } from '../../shared/db/errors.ts';
import type { DbTarget, Row } from '../../shared/db/target.ts';
import { withDeadline } from '../../shared/deadline.ts';
import { MASTERS } from '../../shared/topology/masters.ts';
import {
  type Availability,
  type MasterProbeState,
  masterIsUp,
  nextAvailability,
  positionIn,
} from './master-health.ts';
import { chooseMaster, homeMaster } from './master-pin.ts';

/** How many bounded waits a held master gets before its writes go ahead anyway. */
const SETTLE_TRIES = 10;

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
  /** Caught up with the other master after draining (reset when it stops answering). */
  readonly #caught: boolean[];
  /** A catch-up wait is running for this master. */
  readonly #draining: boolean[];
  /** Counts each master's outages, so a wait begun before one cannot mark it caught up. */
  readonly #outages: number[];
  /** Set while a master that has just taken its users back settles (see #drain). */
  readonly #settling: (Promise<void> | undefined)[];
  /** Writes in flight through each master's writes (`track`). */
  readonly #inFlight: Set<Promise<unknown>>[];
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
    this.#caught = targets.map(() => false);
    this.#draining = targets.map(() => false);
    this.#outages = targets.map(() => 0);
    this.#settling = targets.map(() => undefined);
    this.#inFlight = targets.map(() => new Set());
    this.#availability = targets.map(() => ({ up: true, recovering: false }));
    this.#onChange = onChange;
  }

  /** Which masters take writes now (answering, and caught up after an outage). */
  up(now = performance.now()): boolean[] {
    const answering = this.targets.map((t, i) =>
      masterIsUp(this.#states[i] as MasterProbeState, !t.available, now, this.#options.downAfterMs),
    );
    const next = this.#availability.map((previous, i) => {
      if (answering[i] !== true) {
        this.#caught[i] = false;
        this.#outages[i] = (this.#outages[i] ?? 0) + 1;
      }
      const caught = answering[1 - i] !== true || this.#caught[i] === true;
      const a = nextAvailability(previous, answering[i] === true, caught);
      // Draining: answering, not yet used; catch up with the other master in the background.
      if (a.recovering && answering[i] === true) this.#drain(i);
      return a;
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

  /**
   * The returning master `i` waits for the other master's position read now; caught up, it takes
   * its users back at once. A failure or a wait that runs out leaves it draining, tried again at
   * the next probe.
   */
  #drain(i: number): void {
    const other = this.targets[1 - i];
    if (other === undefined || this.#draining[i]) return;
    this.#draining[i] = true;
    const outage = this.#outages[i];
    const run = async () => {
      if (!(await this.#caughtUpWith(i))) return;
      if (this.#outages[i] !== outage) return;
      // Flip, with the returning master's writes held (settled) until the writes in flight on the
      // other master have ended and it has applied the other's position read after those: one of
      // them acknowledged after the first read is there before a retry of it lands here. It was
      // caught up a moment ago, so this usually takes one round trip.
      const held = this.#hold(i, async () => {
        await Promise.allSettled([...(this.#inFlight[1 - i] ?? [])]);
        const pos = await other.position(this.#options.downAfterMs);
        if (pos !== undefined) await this.#waitUntilApplied(i, pos);
      });
      this.#caught[i] = true;
      this.up();
      await held;
    };
    void run()
      .catch(() => undefined)
      .finally(() => {
        this.#draining[i] = false;
      });
  }

  /**
   * A write of master `i`'s users went to the other master instead (`i` refused it before anything
   * was sent): `i`'s next writes wait until it has applied that write, so a retry of its key that
   * lands on `i` replays it instead of writing it again.
   */
  wroteElsewhere(i: number, gtid: string): void {
    void this.#hold(i, () => this.#waitUntilApplied(i, gtid));
  }

  /** Runs `work` after any hold already on master `i`; its writes wait (settled) until both end. */
  #hold(i: number, work: () => Promise<void>): Promise<void> {
    const held = (this.#settling[i] ?? Promise.resolve()).then(work).catch(() => undefined);
    this.#settling[i] = held;
    void held.finally(() => {
      if (this.#settling[i] === held) this.#settling[i] = undefined;
    });
    return held;
  }

  /**
   * Waits until master `i` has applied `pos` in the other's domain: tries of one bounded
   * MASTER_GTID_WAIT each, while it has no new outage, SETTLE_TRIES at most (then its writes go
   * ahead: holding them longer would only turn them into timeouts).
   */
  async #waitUntilApplied(i: number, pos: string): Promise<void> {
    const outage = this.#outages[i];
    for (let n = 0; n < SETTLE_TRIES && this.#outages[i] === outage; n++)
      if (await this.#applied(i, pos).catch(() => false)) return;
  }

  /** The other master's @@gtid_binlog_pos now, applied by master `i` (one bounded wait). */
  async #caughtUpWith(i: number): Promise<boolean> {
    const pos = await this.targets[1 - i]?.position(this.#options.downAfterMs);
    return pos !== undefined && this.#applied(i, pos);
  }

  /**
   * One MASTER_GTID_WAIT on master `i` for `pos` in the other master's domain, at most
   * DB_MASTER_DOWN_AFTER_MS / 2. False when it was not applied in time.
   */
  async #applied(i: number, pos: string): Promise<boolean> {
    const self = this.targets[i];
    if (self === undefined) return false;
    const theirs = positionIn(pos, MASTERS[1 - i]?.gtidDomainId ?? 0);
    if (theirs === '') return true;
    const waitMs = Math.max(100, Math.floor(this.#options.downAfterMs / 2));
    const [row] = await withDeadline(
      self.withSession(
        (s) =>
          s.rows<Row & { r: number | string | null }>('SELECT MASTER_GTID_WAIT(?, ?) AS r', [
            theirs,
            waitMs / 1000,
          ]),
        { acquireMs: this.#options.downAfterMs },
      ),
      waitMs + this.#options.downAfterMs,
    );
    return Number(row?.r) === 0;
  }

  /** Counts `write` as in flight on master `i`'s writes until it ends. */
  track<T>(i: number, write: Promise<T>): Promise<T> {
    const set = this.#inFlight[i];
    if (set === undefined) return write;
    set.add(write);
    return write.finally(() => set.delete(write));
  }

  /** Resolves once master `i` may take writes: at once, unless it is settling after a failback. */
  settled(i: number): Promise<void> {
    return this.#settling[i] ?? Promise.resolve();
  }

  async #probeOne(i: number): Promise<void> {
    const target = this.targets[i];
    if (target === undefined || this.#probing[i]) return;
    this.#probing[i] = true;
    const deadline = this.#options.downAfterMs;
    const state = this.#states[i] as MasterProbeState;
    try {
      await withDeadline(
        target.withSession((s) => s.rows('SELECT 1'), { acquireMs: deadline }),
        deadline,
      );
      this.#states[i] = { ...state, lastAnswerAt: performance.now(), lastFailed: false };
    } catch (error) {
      // Slow or busy is not down (the window judges it); refused or reset is.
      this.#states[i] = { ...state, lastFailed: dbFailureOf(error) === 'down' };
    } finally {
      this.#probing[i] = false;
    }
  }
}
