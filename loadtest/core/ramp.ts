/**
 * The capacity ramp: raise the rate step by step until a step breaks the SLO (p99 above its bound,
 * or an error rate above its bound, or the generator could not keep the rate), and report the
 * last step that held as the capacity. Pure decisions; the runner does the steps.
 */

export interface Slo {
  readonly p99Ms: number;
  readonly errorRate: number;
}

export interface StepResult {
  readonly rate: number;
  readonly achievedRps: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

export interface StepVerdict {
  readonly held: boolean;
  readonly reason: string;
}

/** Below this share of the offered rate served, a step did not hold its rate. */
export const MIN_ACHIEVED_SHARE = 0.9;

export function judgeStep(step: StepResult, slo: Slo): StepVerdict {
  if (step.errorRate > slo.errorRate)
    return {
      held: false,
      reason: `errors ${(step.errorRate * 100).toFixed(2)} % > ${(slo.errorRate * 100).toFixed(2)} %`,
    };
  if (step.p99Ms > slo.p99Ms)
    return { held: false, reason: `p99 ${step.p99Ms.toFixed(0)} ms > ${slo.p99Ms} ms` };
  if (step.achievedRps < step.rate * MIN_ACHIEVED_SHARE)
    return {
      held: false,
      reason: `served ${step.achievedRps.toFixed(0)} of ${step.rate} req/s`,
    };
  return { held: true, reason: 'within the SLO' };
}

/** The next rate to try: multiply while far from the limit, then add smaller steps. */
export function nextRate(current: number, factor: number): number {
  return Math.max(current + 1, Math.round(current * factor));
}

export interface RampOutcome {
  readonly capacityRps: number;
  readonly brokeAt: StepResult | null;
  readonly reason: string;
}

/** The rate halfway between one that held and one that broke; null when they are too close. */
export function refineRate(held: number, broke: number): number | null {
  const mid = Math.round((held + broke) / 2);
  return mid <= held || mid >= broke ? null : mid;
}

/**
 * Capacity from the steps run (in order): the highest served rate among steps that held, and the
 * lowest rate that broke (refinement steps may come after the first break).
 */
export function rampOutcome(steps: readonly StepResult[], slo: Slo): RampOutcome {
  let capacity = 0;
  let brokeAt: StepResult | null = null;
  let reason = 'the SLO held at every step run';
  for (const step of steps) {
    const verdict = judgeStep(step, slo);
    if (verdict.held) capacity = Math.max(capacity, step.achievedRps);
    else if (brokeAt === null || step.rate < brokeAt.rate) {
      brokeAt = step;
      reason = verdict.reason;
    }
  }
  return { capacityRps: capacity, brokeAt, reason };
}
