/**
 * Runs one drill against a running stack: a mixed load warms up, the fault is applied and held,
 * healed, the load goes on while the stack recovers, then the ledger is checked against the
 * primary and the figures and checks are worked out. The fault is always undone, also on failure.
 */
import { checkLedger } from '../ledger/check.ts';
import type { LedgerVerdict } from '../ledger/verdict.ts';
import type { Account } from '../mixed-load/accounts.ts';
import { Browser } from '../mixed-load/browser.ts';
import { startMixedLoad } from '../mixed-load/load.ts';
import type { CheckResult } from './checks.ts';
import type { Drill } from './drill.ts';
import { sleep } from './faults/fault.ts';
import { type DrillFigures, figures } from './figures.ts';
import type { StackFile } from './stack.ts';

export interface Timing {
  readonly warmMs: number;
  /** Multiplies each drill's hold and observe times (CI runs shorter drills). */
  readonly scale: number;
}

export const DEFAULT_TIMING: Timing = { warmMs: 3000, scale: 1 };

export interface DrillResult {
  readonly name: string;
  readonly row: string;
  readonly fault: string;
  readonly skipped?: string;
  readonly figures?: DrillFigures;
  readonly ledger?: LedgerVerdict;
  readonly observed?: Readonly<Record<string, number>>;
  readonly checks: readonly CheckResult[];
  readonly pass: boolean;
  readonly error?: string;
}

export interface DrillTarget {
  readonly stack: StackFile;
  readonly ca: Buffer;
  readonly accounts: readonly Account[];
}

export async function runDrill(
  target: DrillTarget,
  drill: Drill,
  timing: Timing = DEFAULT_TIMING,
  say: (line: string) => void = () => undefined,
): Promise<DrillResult> {
  const { stack, ca } = target;
  const base = { name: drill.name, row: drill.row };
  const skipped = drill.skip?.(stack);
  if (skipped !== undefined) return { ...base, fault: '-', skipped, checks: [], pass: true };
  const entry = stack.entry ?? '';
  const fault = drill.fault(stack);
  let load: Awaited<ReturnType<typeof startMixedLoad>>;
  try {
    load = await startMixedLoad({
      entry,
      ca,
      accounts: target.accounts,
      ...(drill.mix ? { mix: drill.mix } : {}),
    });
  } catch (error) {
    // The stack could not take the load at all (every web server down): this drill fails, the
    // next ones still run.
    const message = `the load could not start: ${(error as Error).message}`;
    return { ...base, fault: fault.what, checks: [], pass: false, error: message };
  }
  try {
    await sleep(timing.warmMs);
    say(`${drill.name}: ${fault.what}`);
    const faultAt = load.now();
    await fault.apply();
    await sleep((drill.holdMs ?? 8000) * timing.scale);
    await fault.heal();
    const healAt = load.now();
    say(`${drill.name}: healed after ${Math.round(healAt - faultAt)} ms`);
    const probed = drill.probe ? await drill.probe({ stack, entry, ca }) : {};
    Object.assign(fault.observed, probed);
    await sleep((drill.observeMs ?? 8000) * timing.scale);
    const endAt = load.now();
    const outcomes = await load.stop();
    const timeline = { faultAt, healAt, endAt };
    const f = figures(outcomes, timeline, drill.affected);
    const ledger = await checkLedger(stack, load.ledger, new Browser(entry, load.dispatcher));
    const measured = {
      outcomes,
      timeline,
      figures: f,
      ledger,
      observed: fault.observed,
      users: target.accounts.length,
    };
    const checks = drill.checks(stack).map((check) => check(measured));
    return {
      ...base,
      fault: fault.what,
      figures: f,
      ledger,
      observed: fault.observed,
      checks,
      pass: checks.every((c) => c.pass),
    };
  } catch (error) {
    const message = (error as Error).message;
    return { ...base, fault: fault.what, checks: [], pass: false, error: message };
  } finally {
    await fault.cleanup().catch((error: Error) => say(`${drill.name}: cleanup: ${error.message}`));
    await load.stop();
    await load.close();
  }
}
