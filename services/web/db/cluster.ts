/**
 * The primary and its replicas. Writes go to the primary; a read names where it may be served from
 * and, when replicas are allowed, moves away from a replica that is down (next replica, then the
 * primary), so a dead replica costs at most one failed attempt per request. A busy server answers
 * 503 instead: overload never moves reads onto the primary.
 *
 * Causal reads (MaxScale's causal_reads, ProxySQL's GTID tracking): a read may carry the GTID
 * position it must see (`after`). A replica serves it only once it has executed that position
 * (MASTER_GTID_WAIT with a zero or tiny wait); otherwise the next replica, then the primary. What
 * each replica is known to have reached is remembered, so a replica past the position is not asked
 * again. Only when the primary itself is down does a lagging replica answer.
 *
 * Slow and lagging replicas (replica-health.ts, outlier ejection): a replica judged slow or
 * lagging is skipped while another replica can serve; when every replica is skipped, the primary
 * serves. A causal read may still ask a replica skipped only for lag (it checks the GTID itself).
 * Skipped replicas answer only when the primary is down.
 */
import { dbFailureOf } from '../../shared/db/errors.ts';
import type { DbTarget, Param, Row, Session } from '../../shared/db/target.ts';
import type { WriterWatch } from '../../shared/db/writer-watch.ts';
import {
  formatGtid,
  type GtidPosition,
  gtidCovers,
  mergeGtid,
  positionWithin,
} from '../consistency/gtid.ts';
import type { ReplicaHealth } from './replica-health.ts';

export type ReadFrom = 'primary' | 'replicas';

export interface ReadResult<T> {
  readonly rows: T[];
  /** Which server answered: `primary` or `replica-N` (the X-DB header). */
  readonly servedBy: string;
}

export interface ReadOptions {
  /** The GTID position the answer must include. */
  readonly after?: GtidPosition;
}

export class DbCluster {
  /** Which server writes: the configured primary until the topology record names another. */
  readonly watch: WriterWatch;
  /** How long a replica may take to reach a read's position before the next one is asked. */
  readonly #waitSeconds: number;
  readonly #reached = new Map<DbTarget, GtidPosition>();
  readonly #health: ReplicaHealth | undefined;
  #next = 0;

  constructor(watch: WriterWatch, causalWaitMs = 0, health?: ReplicaHealth) {
    this.watch = watch;
    this.#waitSeconds = causalWaitMs / 1000;
    this.#health = health;
  }

  /** The server that takes writes now (follows promotions without a restart). */
  get primary(): DbTarget {
    return this.watch.writer;
  }

  /** The servers that serve reads now: every one but the writer and fenced old primaries. */
  get replicas(): readonly DbTarget[] {
    return this.watch.readers;
  }

  /**
   * Replicas in the order to try them (round-robin), without those whose breaker is open: those to
   * ask before the primary, and the skipped ones (slow or lagging) kept for when it is down.
   */
  #rotation(causal: boolean): { preferred: DbTarget[]; skipped: DbTarget[] } {
    const start = this.#next++ % this.replicas.length;
    const rotated = [...this.replicas.slice(start), ...this.replicas.slice(0, start)];
    const preferred: DbTarget[] = [];
    const skipped: DbTarget[] = [];
    const now = performance.now();
    for (const replica of rotated) {
      if (!replica.available) continue;
      const verdict = this.#health?.verdictOf(replica, now) ?? 'ok';
      if (verdict === 'ok' || (causal && verdict === 'lagging')) preferred.push(replica);
      else skipped.push(replica);
    }
    return { preferred, skipped };
  }

  async read<T extends Row = Row>(
    from: ReadFrom,
    sql: string,
    params: readonly Param[] = [],
    options: ReadOptions = {},
  ): Promise<ReadResult<T>> {
    const query = (s: Session) => s.rows<T>(sql, params);
    if (from === 'primary' || this.replicas.length === 0)
      return { rows: await this.primary.rows<T>(sql, params), servedBy: this.primary.name };
    const after = this.#relevant(options.after);
    const { preferred, skipped } = this.#rotation(after !== undefined);
    const served = await this.#fromReplicas(preferred, query, after);
    if (served !== undefined) return served;
    try {
      return { rows: await this.primary.rows<T>(sql, params), servedBy: this.primary.name };
    } catch (error) {
      if (dbFailureOf(error) !== 'down') throw error;
      // The primary is down: an answer from a slow or lagging replica beats none.
      const late =
        (await this.#fromReplicas(skipped, query, after)) ??
        (after === undefined
          ? undefined
          : await this.#fromReplicas([...preferred, ...skipped], query, undefined));
      if (late === undefined) throw error;
      return late;
    }
  }

  /**
   * The read's position in the domains this tier writes (the writer's last probed position says
   * which): with shards, a position also holds other servers' domains that these replicas never
   * see. Unchanged while the writer's position is unknown (no probe yet, or probing off).
   */
  #relevant(after: GtidPosition | undefined): GtidPosition | undefined {
    if (after === undefined) return undefined;
    const own = this.#health?.positionOf(this.primary);
    return own === undefined || own.length === 0 ? after : positionWithin(after, own);
  }

  /** The first replica that is up and (with `after`) has reached it; undefined when none. */
  async #fromReplicas<T>(
    replicas: readonly DbTarget[],
    query: (s: Session) => Promise<T[]>,
    after: GtidPosition | undefined,
  ): Promise<ReadResult<T> | undefined> {
    for (const replica of replicas) {
      try {
        const rows = await replica.withSession(async (s) =>
          after === undefined || (await this.#hasReached(replica, s, after)) ? query(s) : undefined,
        );
        if (rows !== undefined) return { rows, servedBy: replica.name };
      } catch (error) {
        if (dbFailureOf(error) !== 'down') throw error;
        // A replica that was down may come back rebuilt: forget what it had reached.
        this.#reached.delete(replica);
      }
    }
    return undefined;
  }

  async #hasReached(replica: DbTarget, s: Session, after: GtidPosition): Promise<boolean> {
    const known = this.#reached.get(replica);
    if (known !== undefined && gtidCovers(known, after)) return true;
    const probed = this.#health?.positionOf(replica);
    if (probed !== undefined && gtidCovers(probed, after)) return true;
    const [row] = await s.rows<Row & { r: number | null }>('SELECT MASTER_GTID_WAIT(?, ?) AS r', [
      formatGtid(after),
      this.#waitSeconds,
    ]);
    if (row?.r !== 0) return false;
    this.#reached.set(replica, mergeGtid(known ?? [], after) ?? after);
    return true;
  }

  async close(): Promise<void> {
    this.watch.stop();
    this.#health?.stop();
    await Promise.allSettled(this.watch.all.map((t) => t.close()));
  }
}
