/**
 * A backend's health as a small state machine (HAProxy's rise/fall): a new backend is down until
 * its first check passes; an up backend goes down after `fall` failed checks in a row or at once
 * when ejected passively; a down backend comes back after `rise` passed checks in a row.
 */
export interface HealthState {
  readonly up: boolean;
  /** Never checked yet: the first passing check is enough to come up. */
  readonly fresh: boolean;
  readonly passes: number;
  readonly fails: number;
}

export const INITIAL: HealthState = Object.freeze({ up: false, fresh: true, passes: 0, fails: 0 });
export const ALWAYS_UP: HealthState = Object.freeze({
  up: true,
  fresh: false,
  passes: 0,
  fails: 0,
});

export function afterCheck(
  s: HealthState,
  passed: boolean,
  rise: number,
  fall: number,
): HealthState {
  if (passed) {
    if (s.up) return { up: true, fresh: false, passes: s.passes + 1, fails: 0 };
    const passes = s.passes + 1;
    return { up: s.fresh || passes >= rise, fresh: false, passes, fails: 0 };
  }
  const fails = s.fails + 1;
  if (s.up) return { up: fails < fall, fresh: false, passes: 0, fails };
  return { up: false, fresh: false, passes: 0, fails };
}

/** Passive ejection, or a server that said it is draining: down now, back after `rise` passes. */
export function afterEject(s: HealthState): HealthState {
  return { up: false, fresh: false, passes: 0, fails: Math.max(s.fails, 1) };
}
