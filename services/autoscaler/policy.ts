/**
 * The scaling decision, pure: Kubernetes HPA's target tracking, `desired = ceil(current × metric /
 * target)`, left alone while the ratio is inside the tolerance band; clamped to [min, max]; at most
 * `maxStep` servers added or removed per decision. Scale-out is fast (acts on the newest
 * recommendation, after a short cooldown); scale-in is slow: it takes the highest recommendation
 * of the stabilisation window (HPA's scale-down stabilisation) and waits out its own cooldown, so a
 * dip in traffic does not remove servers that the next minute needs.
 */

export interface Policy {
  readonly min: number;
  readonly max: number;
  /** The metric's target value per server (e.g. 4 requests in flight per server). */
  readonly target: number;
  /** |metric/target − 1| at or below this: no change (HPA's default 0.1). */
  readonly tolerance: number;
  readonly maxStep: number;
  readonly scaleOutCooldownMs: number;
  readonly scaleInCooldownMs: number;
  readonly stabilisationMs: number;
}

export interface Observation {
  readonly at: number;
  /** Servers in the pool now (ready and in rotation). */
  readonly current: number;
  /** The metric per server now (average over the pool). */
  readonly metric: number;
}

export interface History {
  /** Recent raw recommendations (time, replicas), newest last. */
  readonly recommendations: readonly { readonly at: number; readonly replicas: number }[];
  readonly lastScaleOutAt: number | null;
  readonly lastScaleInAt: number | null;
}

export const emptyHistory = (): History => ({
  recommendations: [],
  lastScaleOutAt: null,
  lastScaleInAt: null,
});

export type Reason =
  | 'within-tolerance'
  | 'scale-out'
  | 'scale-in'
  | 'below-min'
  | 'above-max'
  | 'at-max'
  | 'at-min'
  | 'out-cooldown'
  | 'in-cooldown'
  | 'stabilising';

export interface Decision {
  readonly desired: number;
  /** What the formula alone asked for (before stabilisation, limits and cooldowns). */
  readonly raw: number;
  readonly reason: Reason;
  readonly history: History;
}

const clamp = (n: number, p: Policy) => Math.min(p.max, Math.max(p.min, n));

/** HPA's formula with its tolerance band. */
export function recommend(current: number, metric: number, p: Policy): number {
  if (current <= 0) return p.min;
  const ratio = metric / p.target;
  // A hair above the band in floating point (1.1 − 1 > 0.1) still counts as inside it.
  if (Math.abs(ratio - 1) <= p.tolerance + 1e-9) return current;
  return Math.ceil(current * ratio);
}

/**
 * Records what the formula asks for without deciding (while a scaling action is still running),
 * so the stabilisation window still sees the load of that time.
 */
export function remember(o: Observation, h: History, p: Policy): History {
  const replicas = clamp(recommend(o.current, o.metric, p), p);
  return {
    ...h,
    recommendations: [
      ...h.recommendations.filter((r) => o.at - r.at < p.stabilisationMs),
      { at: o.at, replicas },
    ],
  };
}

export function decide(o: Observation, h: History, p: Policy): Decision {
  const raw = recommend(o.current, o.metric, p);
  const recommendations = [
    ...h.recommendations.filter((r) => o.at - r.at < p.stabilisationMs),
    { at: o.at, replicas: clamp(raw, p) },
  ];
  const history = { ...h, recommendations };
  const out = (desired: number, reason: Reason, extra: Partial<History> = {}): Decision => ({
    desired,
    raw,
    reason,
    history: { ...history, ...extra },
  });
  if (o.current < p.min) return out(p.min, 'below-min', { lastScaleOutAt: o.at });
  if (o.current > p.max) return out(p.max, 'above-max', { lastScaleInAt: o.at });
  if (raw > o.current && o.current >= p.max) return out(o.current, 'at-max');
  const wanted = clamp(raw, p);
  if (wanted > o.current) {
    if (h.lastScaleOutAt !== null && o.at - h.lastScaleOutAt < p.scaleOutCooldownMs)
      return out(o.current, 'out-cooldown');
    const desired = Math.min(wanted, o.current + p.maxStep);
    return out(desired, 'scale-out', { lastScaleOutAt: o.at });
  }
  // Scale-in acts on the highest recommendation of the window, never on one sample.
  const stable = Math.max(...recommendations.map((r) => r.replicas));
  if (stable >= o.current)
    return out(o.current, wanted < o.current ? 'stabilising' : 'within-tolerance');
  if (o.current <= p.min) return out(o.current, 'at-min');
  const since = Math.max(h.lastScaleInAt ?? -Infinity, h.lastScaleOutAt ?? -Infinity);
  if (o.at - since < p.scaleInCooldownMs) return out(o.current, 'in-cooldown');
  const desired = Math.max(stable, o.current - p.maxStep);
  return out(desired, 'scale-in', { lastScaleInAt: o.at });
}
