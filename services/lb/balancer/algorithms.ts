/**
 * The balancing algorithms, as pure pickers over a pool's backends. Only backends that are
 * routable (pools/pool-state.ts), have a weight above 0 and a free connection slot (fewer than
 * `maxInflight` requests in flight) are eligible; `tried` (the backends this request already failed
 * on) are skipped so that every retry lands on a different backend. No allocation on the hot path.
 *
 * - round-robin: smooth weighted round-robin (a backend of weight 2 gets 2 of every 3 picks, spread
 *   out rather than in bursts).
 * - least-connections: fewest in-flight requests per unit of weight; ties rotate.
 * - random: weighted random.
 * - p2c: two weighted random candidates, the one with fewer in-flight requests per weight wins.
 */
import type { LbAlgorithm } from '../../shared/config/flags.ts';

export interface Pickable {
  readonly routable: boolean;
  readonly weight: number;
  readonly inflight: number;
  /** Smooth round-robin's running weight; owned by the picker. */
  rrCurrent: number;
}

export type Random = () => number;
export type Picker<B extends Pickable> = (
  backends: readonly B[],
  tried: readonly B[] | null,
) => B | undefined;

type Eligible<B> = (b: B, tried: readonly B[] | null) => boolean;

const eligibleUnder =
  <B extends Pickable>(maxInflight: number): Eligible<B> =>
  (b, tried) =>
    b.routable &&
    b.weight > 0 &&
    b.inflight < maxInflight &&
    (tried === null || !tried.includes(b));

function roundRobin<B extends Pickable>(eligible: Eligible<B>): Picker<B> {
  return (backends, tried) => {
    let total = 0;
    let best: B | undefined;
    for (const b of backends) {
      if (!eligible(b, tried)) continue;
      b.rrCurrent += b.weight;
      total += b.weight;
      if (best === undefined || b.rrCurrent > best.rrCurrent) best = b;
    }
    if (best !== undefined) best.rrCurrent -= total;
    return best;
  };
}

function leastConnections<B extends Pickable>(eligible: Eligible<B>): Picker<B> {
  let cursor = 0;
  return (backends, tried) => {
    const n = backends.length;
    if (n === 0) return undefined;
    cursor = (cursor + 1) % n;
    let best: B | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const b = backends[(cursor + i) % n] as B;
      if (!eligible(b, tried)) continue;
      const load = (b.inflight + 1) / b.weight;
      if (load < bestLoad) {
        best = b;
        bestLoad = load;
      }
    }
    return best;
  };
}

/** Weighted random choice among eligible backends, optionally also skipping `other`. */
function weightedRandom<B extends Pickable>(
  eligible: Eligible<B>,
  backends: readonly B[],
  tried: readonly B[] | null,
  other: B | undefined,
  random: Random,
): B | undefined {
  let total = 0;
  for (const b of backends) if (b !== other && eligible(b, tried)) total += b.weight;
  if (total === 0) return undefined;
  let r = random() * total;
  let last: B | undefined;
  for (const b of backends) {
    if (b === other || !eligible(b, tried)) continue;
    last = b;
    r -= b.weight;
    if (r < 0) return b;
  }
  return last;
}

function randomPick<B extends Pickable>(eligible: Eligible<B>, random: Random): Picker<B> {
  return (backends, tried) => weightedRandom(eligible, backends, tried, undefined, random);
}

function powerOfTwo<B extends Pickable>(eligible: Eligible<B>, random: Random): Picker<B> {
  return (backends, tried) => {
    const first = weightedRandom(eligible, backends, tried, undefined, random);
    if (first === undefined) return undefined;
    const second = weightedRandom(eligible, backends, tried, first, random);
    if (second === undefined) return first;
    const a = first.inflight / first.weight;
    const b = second.inflight / second.weight;
    return b < a ? second : first;
  };
}

/**
 * A picker with its own state (round-robin position); one per pool (and per worker). A backend
 * with `maxInflight` requests in flight is full and not picked (LB_BACKEND_MAX_CONNECTIONS).
 */
export function createPicker<B extends Pickable>(
  algorithm: LbAlgorithm,
  random: Random = Math.random,
  maxInflight = Number.POSITIVE_INFINITY,
): Picker<B> {
  const eligible = eligibleUnder<B>(maxInflight);
  switch (algorithm) {
    case 'round-robin':
      return roundRobin<B>(eligible);
    case 'least-connections':
      return leastConnections<B>(eligible);
    case 'random':
      return randomPick<B>(eligible, random);
    case 'p2c':
      return powerOfTwo<B>(eligible, random);
  }
}
