/**
 * Open-loop pacing: request i of a run at `rate` req/s is due at start + i / rate, whatever
 * happened to the requests before it. Latency counts from that due time, so a stall that delays
 * sending is charged to every request that should have gone out during it (coordinated omission
 * corrected); the service time counts from the moment the request actually left. Pure.
 */

export const dueAt = (startMs: number, rate: number, index: number): number =>
  startMs + (index * 1000) / rate;

/** How many requests are due by `nowMs` (the count, not an index). */
export const dueBy = (startMs: number, rate: number, nowMs: number): number =>
  nowMs < startMs ? 0 : Math.floor(((nowMs - startMs) * rate) / 1000) + 1;

export interface Timing {
  readonly dueMs: number;
  readonly sentMs: number;
  readonly doneMs: number;
}

/** Latency as a user sees it at this rate: from when the request was due. */
export const latencyMs = (t: Timing): number => t.doneMs - t.dueMs;
/** What a closed-loop tool would report: from when the request was sent. */
export const serviceMs = (t: Timing): number => t.doneMs - t.sentMs;
