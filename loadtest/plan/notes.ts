/**
 * The notes' load (../shared/seeds: "scale from one to ten million users"): 10 million users,
 * 1 billion writes and 100 billion reads a month (100:1), 1 KB per write, 2.5 million seconds a
 * month, hence 400 writes/s and 40,000 reads/s on average. Traffic is not even: the peak is the
 * average times a peak factor the user sets. Pure.
 */

export interface Workload {
  readonly users: number;
  readonly writesPerMonth: number;
  readonly readsPerMonth: number;
  readonly bytesPerWrite: number;
  /** The notes round a month to 2.5 million seconds. */
  readonly secondsPerMonth: number;
  readonly peakFactor: number;
}

export const NOTES_WORKLOAD: Omit<Workload, 'peakFactor'> = {
  users: 10_000_000,
  writesPerMonth: 1_000_000_000,
  readsPerMonth: 100_000_000_000,
  bytesPerWrite: 1000,
  secondsPerMonth: 2_500_000,
};

export interface Demand {
  readonly averageReadsPerSecond: number;
  readonly averageWritesPerSecond: number;
  readonly peakReadsPerSecond: number;
  readonly peakWritesPerSecond: number;
  /** Reads + writes at the peak: what the stack must serve. */
  readonly peakRequestsPerSecond: number;
  readonly readsPerWrite: number;
  readonly newContentBytesPerMonth: number;
}

export function demandOf(w: Workload): Demand {
  const reads = w.readsPerMonth / w.secondsPerMonth;
  const writes = w.writesPerMonth / w.secondsPerMonth;
  return {
    averageReadsPerSecond: reads,
    averageWritesPerSecond: writes,
    peakReadsPerSecond: reads * w.peakFactor,
    peakWritesPerSecond: writes * w.peakFactor,
    peakRequestsPerSecond: (reads + writes) * w.peakFactor,
    readsPerWrite: w.readsPerMonth / w.writesPerMonth,
    newContentBytesPerMonth: w.writesPerMonth * w.bytesPerWrite,
  };
}
