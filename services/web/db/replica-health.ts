/**
 * The latency and lag of each database server, kept up to date for read routing (the judgement
 * itself is pure: replica-choice.ts). A background probe asks the writer and every replica for
 * @@gtid_binlog_pos every interval (one probe per server at a time, so a paused server holds at
 * most one pooled connection for it). Its answer time is the latency sample: the same trivial
 * statement everywhere, so servers are compared like with like (a replica busy with heavy reads is
 * not an outlier). The writer's answer is a position sample; a replica's says how far it lags. A
 * probe still waiting counts as that much latency, so a replica that stops answering is skipped
 * well before a read times out on it. Skipped replicas keep being probed, which is how they come
 * back.
 */
import type { DbTarget, Row } from '../../shared/db/target.ts';
import type { WriterWatch } from '../../shared/db/writer-watch.ts';
import type { WebConfig } from '../config.ts';
import { type GtidPosition, parseGtid } from '../consistency/gtid.ts';
import {
  addSample,
  type Ewma,
  effectiveLatency,
  judgeReplicas,
  lagOf,
  type OutlierPolicy,
  type PositionSample,
  pruneHistory,
  type Verdict,
} from './replica-choice.ts';

export interface ReplicaHealthOptions extends OutlierPolicy {
  /** How often each server is probed; 0 turns probing and skipping off (DB_REPLICA_PROBE_INTERVAL_MS). */
  readonly probeIntervalMs: number;
}

/** The replica outlier settings of DB_REPLICA_* (see db/replica-choice.ts). */
export function replicaPolicyOf(config: WebConfig): ReplicaHealthOptions {
  return {
    probeIntervalMs: config.DB_REPLICA_PROBE_INTERVAL_MS,
    maxLatencyMs: config.DB_REPLICA_MAX_LATENCY_MS,
    outlierFactor: config.DB_REPLICA_OUTLIER_FACTOR,
    minLatencyMs: config.DB_REPLICA_OUTLIER_MIN_MS,
    maxLagMs: config.DB_REPLICA_MAX_LAG_MS,
    decayMs: config.DB_LATENCY_DECAY_MS,
  };
}

export interface VerdictChange {
  readonly replica: string;
  readonly from: Verdict;
  readonly to: Verdict;
  readonly latencyMs: number | undefined;
  readonly lagMs: number;
}

interface Health {
  ewma: Ewma | undefined;
  /** The server's @@gtid_binlog_pos at its last answered probe (undefined after a failed one). */
  position: GtidPosition | undefined;
  probingSince: number | undefined;
  lagMs: number;
  verdict: Verdict;
}

const MAX_HISTORY = 512;
const POSITION_SQL = 'SELECT @@GLOBAL.gtid_binlog_pos AS pos';

export class ReplicaHealth {
  readonly #watch: WriterWatch;
  readonly #options: ReplicaHealthOptions;
  readonly #onChange: (change: VerdictChange) => void;
  readonly #health = new Map<DbTarget, Health>();
  #history: PositionSample[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    watch: WriterWatch,
    options: ReplicaHealthOptions,
    onChange: (change: VerdictChange) => void = () => {},
  ) {
    this.#watch = watch;
    this.#options = options;
    this.#onChange = onChange;
  }

  get enabled(): boolean {
    return this.#options.probeIntervalMs > 0;
  }

  /**
   * The verdict on a replica now (a probe that has waited since the last look counts): only `ok`
   * ones serve reads while another can.
   */
  verdictOf(target: DbTarget, now = performance.now()): Verdict {
    if (!this.enabled) return 'ok';
    this.#judge(now);
    return this.#health.get(target)?.verdict ?? 'ok';
  }

  /**
   * Where the server was at its last answered probe (at most a probe interval old): a causal read
   * whose position this covers needs no MASTER_GTID_WAIT round trip (positions only grow; a failed
   * probe forgets it, so a server rebuilt after an outage is asked again).
   */
  positionOf(target: DbTarget): GtidPosition | undefined {
    return this.enabled ? this.#health.get(target)?.position : undefined;
  }

  start(): void {
    if (!this.enabled || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.probe(), this.#options.probeIntervalMs);
    this.#timer.unref();
    this.probe();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Starts a probe of every server that has none running, and judges what is known now. */
  probe(): void {
    const now = performance.now();
    for (const target of this.#probed()) {
      const h = this.#of(target);
      if (h.probingSince !== undefined) continue;
      h.probingSince = now;
      void this.#probeOne(target, h, now);
    }
    this.#judge(now);
  }

  /** The writer and the readers: fenced old primaries serve nothing. */
  #probed(): DbTarget[] {
    return [this.#watch.writer, ...this.#watch.readers];
  }

  async #probeOne(target: DbTarget, h: Health, started: number): Promise<void> {
    let pos: string | undefined;
    try {
      const [row] = await target.rows<Row & { pos: string | null }>(POSITION_SQL);
      pos = row?.pos ?? '';
    } catch {
      // No answer (down, or no connection in time): the time it took is still a sample, a lower
      // bound of the latency; a server that is down is also skipped by its breaker.
    } finally {
      h.probingSince = undefined;
    }
    const now = performance.now();
    h.ewma = addSample(h.ewma, now - started, now, this.#options.decayMs);
    const position = pos === undefined ? undefined : parseGtid(pos);
    h.position = position;
    if (position !== undefined) {
      if (target === this.#watch.writer) {
        this.#history.push({ at: now, position });
        this.#history = pruneHistory(this.#history, now, 2 * this.#options.maxLagMs, MAX_HISTORY);
      } else {
        h.lagMs = lagOf(this.#history, position, started);
      }
    }
    this.#judge(now);
  }

  #of(target: DbTarget): Health {
    let h = this.#health.get(target);
    if (h === undefined) {
      h = {
        ewma: undefined,
        position: undefined,
        probingSince: undefined,
        lagMs: 0,
        verdict: 'ok',
      };
      this.#health.set(target, h);
    }
    return h;
  }

  #judge(now: number): void {
    const latency = (t: DbTarget) => {
      const h = this.#health.get(t);
      return effectiveLatency(h?.ewma, h?.probingSince, now);
    };
    const readers = this.#watch.readers;
    const health = readers.map((t) => this.#of(t));
    const verdicts = judgeReplicas(
      latency(this.#watch.writer),
      readers.map((t, i) => ({
        latencyMs: latency(t),
        lagMs: health[i]?.lagMs ?? 0,
        verdict: health[i]?.verdict ?? 'ok',
      })),
      this.#options,
    );
    readers.forEach((t, i) => {
      const h = health[i] as Health;
      const to = verdicts[i] ?? 'ok';
      if (h.verdict === to) return;
      this.#onChange({
        replica: t.name,
        from: h.verdict,
        to,
        latencyMs: latency(t),
        lagMs: h.lagMs,
      });
      h.verdict = to;
    });
  }
}
