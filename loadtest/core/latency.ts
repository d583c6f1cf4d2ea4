/**
 * Latency summaries: percentiles over a run's samples (milliseconds), per label and overall, and a
 * per-second series for the latency-over-time chart. Pure.
 */

export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export const EMPTY_SUMMARY: LatencySummary = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };

/** The nearest-rank percentile `p` (0–100) of ascending `sorted`. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0;
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  if (values.length === 0) return EMPTY_SUMMARY;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

/** Samples grouped by label, growing without copying per sample. */
export class Samples {
  readonly #byLabel = new Map<string, number[]>();

  add(label: string, ms: number): void {
    const list = this.#byLabel.get(label);
    if (list === undefined) this.#byLabel.set(label, [ms]);
    else list.push(ms);
  }

  labels(): string[] {
    return [...this.#byLabel.keys()].sort();
  }

  of(label: string): readonly number[] {
    return this.#byLabel.get(label) ?? [];
  }

  all(): number[] {
    return [...this.#byLabel.values()].flat();
  }

  /** Empties and returns what was collected (a worker's per-second hand-over). */
  drain(): Record<string, number[]> {
    const out = Object.fromEntries(this.#byLabel);
    this.#byLabel.clear();
    return out;
  }

  merge(batch: Readonly<Record<string, readonly number[]>>): void {
    for (const [label, values] of Object.entries(batch)) for (const v of values) this.add(label, v);
  }
}
