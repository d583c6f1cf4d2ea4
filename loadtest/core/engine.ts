/**
 * The two ways of offering load. Open loop: requests leave on the pacing schedule whatever the
 * target does (at most `maxInFlight` outstanding; a request that must wait for a free slot still
 * counts its latency from its due time). Closed loop: `connections` loops, each sending its next
 * request when the previous one answered (a capacity probe; its latency is service time). Both
 * stop offering at the deadline and wait at most `drainMs` for what is outstanding.
 */
import { performance } from 'node:perf_hooks';
import { dueAt, dueBy } from './pacing.ts';

export interface Outcome {
  readonly label: string;
  /** HTTP status, or 0 when no response came (timeout, reset). */
  readonly status: number;
  readonly ok: boolean;
}

export interface Completed extends Outcome {
  readonly dueMs: number;
  readonly sentMs: number;
  readonly doneMs: number;
}

export type Send = (index: number) => Promise<Outcome>;

export interface OpenLoopPlan {
  readonly rate: number;
  readonly durationMs: number;
  readonly maxInFlight: number;
  readonly drainMs: number;
}

export interface EngineResult {
  /** Requests due in the run that never left (the target or the generator fell behind). */
  readonly unsent: number;
  /** Requests sent whose answer did not come before the drain ended. */
  readonly unanswered: number;
  readonly elapsedMs: number;
}

const now = () => performance.now();
const errorOutcome = (): Outcome => ({ label: 'error', status: 0, ok: false });

export function openLoop(
  plan: OpenLoopPlan,
  send: Send,
  onDone: (c: Completed) => void,
): Promise<EngineResult> {
  const start = now();
  const end = start + plan.durationMs;
  const total = Math.floor((plan.durationMs * plan.rate) / 1000);
  let next = 0;
  let inFlight = 0;
  return new Promise((resolve) => {
    let offering = true;
    let finished = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(drainTimer);
      resolve({ unsent: total - next, unanswered: inFlight, elapsedMs: now() - start });
    };
    const launch = (index: number, due: number) => {
      inFlight += 1;
      const sent = now();
      send(index)
        .catch(errorOutcome)
        .then((o) => {
          inFlight -= 1;
          if (finished) return;
          onDone({ ...o, dueMs: due, sentMs: sent, doneMs: now() });
          if (offering) pump();
          else if (inFlight === 0) finish();
        });
    };
    const pump = () => {
      const due = Math.min(total, dueBy(start, plan.rate, Math.min(now(), end)));
      while (next < due && inFlight < plan.maxInFlight) {
        launch(next, dueAt(start, plan.rate, next));
        next += 1;
      }
    };
    const tick = () => {
      pump();
      if (now() < end && next < total) {
        const wait = Math.max(0, dueAt(start, plan.rate, next) - now());
        setTimeout(tick, Math.min(Math.max(1, wait), 50));
        return;
      }
      // Offering is over: the rest are unsent; wait (bounded) for the outstanding answers.
      offering = false;
      if (inFlight === 0) finish();
      else drainTimer = setTimeout(finish, plan.drainMs);
    };
    tick();
  });
}

export interface ClosedLoopPlan {
  readonly connections: number;
  readonly durationMs: number;
  readonly drainMs: number;
}

export async function closedLoop(
  plan: ClosedLoopPlan,
  send: Send,
  onDone: (c: Completed) => void,
): Promise<EngineResult> {
  const start = now();
  const end = start + plan.durationMs;
  let index = 0;
  let inFlight = 0;
  const loop = async () => {
    while (now() < end) {
      const i = index++;
      inFlight += 1;
      const sent = now();
      const o = await send(i).catch(errorOutcome);
      inFlight -= 1;
      onDone({ ...o, dueMs: sent, sentMs: sent, doneMs: now() });
    }
  };
  const all = Promise.all(Array.from({ length: plan.connections }, loop));
  let timer: NodeJS.Timeout | undefined;
  const drained = new Promise<void>((r) => {
    timer = setTimeout(r, plan.durationMs + plan.drainMs);
  });
  await Promise.race([all, drained]);
  clearTimeout(timer);
  return { unsent: 0, unanswered: inFlight, elapsedMs: now() - start };
}
