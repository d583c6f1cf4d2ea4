/**
 * Which replicas may serve reads, judged from how they answer (pure). Outlier ejection in the
 * manner of Envoy's outlier detection and Finagle's latency EWMA: each database server has a
 * latency estimate (an exponentially weighted moving average of its reads and background probes,
 * decaying with time, raised by a probe still waiting for an answer), and each replica a lag
 * (how long ago the primary had committed something the replica has not executed yet).
 *
 * A replica is skipped for reads when
 * - it is slow: its latency is at least `minLatencyMs` and either above `outlierFactor` times the
 *   fastest server's (the primary included), or above `maxLatencyMs` while some server is faster
 *   than that (when every server is that slow the box is overloaded, and moving reads would not
 *   help), or
 * - it lags by more than `maxLagMs`.
 * A skipped replica comes back once it is under half of what skipped it (hysteresis, so a replica
 * near a limit does not flap). When every replica is skipped, reads go to the primary.
 */
import { type GtidPosition, gtidCovers } from '../consistency/gtid.ts';

export interface OutlierPolicy {
  /** Skip a replica slower than this while another server is faster (DB_REPLICA_MAX_LATENCY_MS). */
  readonly maxLatencyMs: number;
  /** Skip a replica slower than this many times the fastest server (DB_REPLICA_OUTLIER_FACTOR). */
  readonly outlierFactor: number;
  /** Never skip a replica for latency under this (DB_REPLICA_OUTLIER_MIN_MS). */
  readonly minLatencyMs: number;
  /** Skip a replica lagging more than this (DB_REPLICA_MAX_LAG_MS). */
  readonly maxLagMs: number;
  /** How fast old latency samples lose weight (DB_LATENCY_DECAY_MS): the EWMA's time constant. */
  readonly decayMs: number;
}

/** A latency estimate and when its last sample came in. */
export interface Ewma {
  readonly ms: number;
  readonly at: number;
}

/**
 * Adds a sample. The weight of the old estimate decays with the time since its last sample
 * (exp(-Δt/decay)), so after a quiet spell one new sample counts for much, and among many quick
 * samples one slow answer counts for little.
 */
export function addSample(
  prev: Ewma | undefined,
  sampleMs: number,
  at: number,
  decayMs: number,
): Ewma {
  if (prev === undefined) return { ms: sampleMs, at };
  const keep = Math.exp(-Math.max(0, at - prev.at) / decayMs);
  return { ms: prev.ms * keep + sampleMs * (1 - keep), at: Math.max(at, prev.at) };
}

/** The latency to judge by: the estimate, or how long a probe has waited if that is longer. */
export function effectiveLatency(
  ewma: Ewma | undefined,
  probingSince: number | undefined,
  now: number,
): number | undefined {
  const waiting = probingSince === undefined ? undefined : now - probingSince;
  if (ewma === undefined) return waiting;
  return waiting === undefined ? ewma.ms : Math.max(ewma.ms, waiting);
}

export type Verdict = 'ok' | 'slow' | 'lagging';

export interface ReplicaView {
  /** Effective latency; undefined before the first sample. */
  readonly latencyMs: number | undefined;
  readonly lagMs: number;
  /** The verdict so far (for the hysteresis). */
  readonly verdict: Verdict;
}

/** The latency above which a replica is slow, given the fastest server's latency. */
export function latencyLimit(fastestMs: number | undefined, policy: OutlierPolicy): number {
  if (fastestMs === undefined) return Number.POSITIVE_INFINITY;
  const relative = policy.outlierFactor * fastestMs;
  const absolute = fastestMs < policy.maxLatencyMs ? policy.maxLatencyMs : Number.POSITIVE_INFINITY;
  return Math.max(policy.minLatencyMs, Math.min(relative, absolute));
}

/**
 * The verdict on each replica. `primaryLatencyMs` is the writer's latency (a baseline: a replica
 * is not an outlier when the primary is just as slow).
 */
export function judgeReplicas(
  primaryLatencyMs: number | undefined,
  replicas: readonly ReplicaView[],
  policy: OutlierPolicy,
): Verdict[] {
  const known = [primaryLatencyMs, ...replicas.map((r) => r.latencyMs)].filter(
    (ms): ms is number => ms !== undefined,
  );
  const fastest = known.length === 0 ? undefined : Math.min(...known);
  const limit = latencyLimit(fastest, policy);
  return replicas.map((r) => {
    const scale = (v: Verdict) => (r.verdict === v ? 0.5 : 1);
    if (r.lagMs > policy.maxLagMs * scale('lagging')) return 'lagging';
    if (r.latencyMs !== undefined && r.latencyMs > limit * scale('slow')) return 'slow';
    return 'ok';
  });
}

/** The primary's position at a moment: everything in it was committed by `at`. */
export interface PositionSample {
  readonly at: number;
  readonly position: GtidPosition;
}

/**
 * How far a replica lags, at least: `replica` is its position read at `readAt`; `history` the
 * primary's positions, oldest first. The earliest sample taken before `readAt` that the replica
 * does not cover was committed by its `at` and is still missing at `readAt`. Zero when it covers
 * every earlier sample.
 */
export function lagOf(
  history: readonly PositionSample[],
  replica: GtidPosition,
  readAt: number,
): number {
  for (const sample of history) {
    if (sample.at > readAt) break;
    if (!gtidCovers(replica, sample.position)) return readAt - sample.at;
  }
  return 0;
}

/** `history` without samples older than `keepMs` (the newest always stays), at most `max` long. */
export function pruneHistory(
  history: readonly PositionSample[],
  now: number,
  keepMs: number,
  max: number,
): PositionSample[] {
  const recent = history.filter((s, i) => i === history.length - 1 || now - s.at <= keepMs);
  return recent.slice(Math.max(0, recent.length - max));
}
