/**
 * Offering the compressed day (I/O): each segment is an open loop (loadtest/core/engine.ts) at its
 * rate, started on schedule whatever the previous one still has in flight, so a slow fleet gets
 * the load a real day would send. Every answer is recorded with its latency from its due time;
 * requests never sent or never answered are counted as failures of their phase.
 */
import { performance } from 'node:perf_hooks';
import { type Completed, openLoop } from '../core/engine.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { RequestRecord } from './figures.ts';
import type { Phase, Segment } from './profile.ts';

export interface DayResult {
  readonly records: RequestRecord[];
  /** Due but never sent or never answered, by phase. */
  readonly lost: Partial<Record<Phase, number>>;
  readonly generatorCpuShare: number;
}

export async function offerDay(
  scenario: Scenario,
  segments: readonly Segment[],
  t0: number,
  maxInFlight: number,
): Promise<DayResult> {
  const records: RequestRecord[] = [];
  const lost: Partial<Record<Phase, number>> = {};
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let index = 0;
  const runs: Promise<void>[] = [];
  for (const seg of segments) {
    const wait = t0 + seg.startS * 1000 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const record = (c: Completed) =>
      records.push({
        dueS: (c.dueMs - t0) / 1000,
        latencyMs: c.doneMs - c.dueMs,
        ok: c.ok,
        phase: seg.phase,
      });
    runs.push(
      openLoop(
        { rate: seg.rps, durationMs: seg.durationS * 1000, maxInFlight, drainMs: 15_000 },
        () => scenario.send(index++),
        record,
      ).then((r) => {
        lost[seg.phase] = (lost[seg.phase] ?? 0) + r.unsent + r.unanswered;
      }),
    );
  }
  await Promise.all(runs);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  return { records, lost, generatorCpuShare: (cpu.user + cpu.system) / 1000 / wallMs };
}
