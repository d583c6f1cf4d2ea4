/** Per-run series out of the 1 s readings: counter rates, gauges, means. Pure. */
import type { Reading } from './snapshot.ts';

/** Reading keys of a web server's statement time per database server: `querySum:primary`. */
export const QUERY_SUM = 'querySum:';
export const QUERY_COUNT = 'queryCount:';

export const mean = (xs: readonly number[]) =>
  xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;

/** Per-window rates of a cumulative counter (per second), skipping windows where it is missing. */
export function rates(readings: readonly Reading[], name: string, key: string): number[] {
  const out: number[] = [];
  for (let i = 1; i < readings.length; i++) {
    const a = readings[i - 1]?.values[name]?.[key];
    const b = readings[i]?.values[name]?.[key];
    const dt = ((readings[i]?.atMs ?? 0) - (readings[i - 1]?.atMs ?? 0)) / 1000;
    if (a !== undefined && b !== undefined && dt > 0) out.push((b - a) / dt);
  }
  return out;
}

export const gauge = (readings: readonly Reading[], name: string, key: string): number[] =>
  readings.map((r) => r.values[name]?.[key]).filter((v): v is number => v !== undefined);

/** How much a cumulative counter grew between its first and last reading (0 when missing). */
export function growth(readings: readonly Reading[], name: string, key: string): number {
  const seen = gauge(readings, name, key);
  return seen.length < 2 ? 0 : (seen[seen.length - 1] ?? 0) - (seen[0] ?? 0);
}
