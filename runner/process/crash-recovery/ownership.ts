/**
 * Decisions for starting over after a crash or kill -9. Pure: from what was recorded at spawn time
 * and what /proc says now, whether a process is provably ours; from the pid records of a stack
 * directory, whether `up` may go ahead and which orphans it must stop first; whether a data
 * directory can be reused.
 */

/** What the runner writes next to every process it starts (`<stackDir>/<name>/pid`). */
export interface PidRecord {
  readonly name: string;
  readonly kind: string;
  /** Start wave (dependency depth): stopping goes from the highest wave down. */
  readonly wave: number;
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started. */
  readonly startTime: string;
  readonly bootId: string;
}

/** What /proc says about a pid now. */
export interface ProcFacts {
  /** Present and not a zombie. */
  readonly running: boolean;
  readonly startTime?: string;
  readonly bootId: string;
}

export type Verdict = 'ours' | 'gone' | 'not-ours';

/**
 * A pid is ours only when it runs, in the same boot, with the start time recorded when we spawned
 * it: a recycled pid has another start time, so it is never signalled.
 */
export function classify(record: PidRecord, facts: ProcFacts): Verdict {
  if (!facts.running) return 'gone';
  if (facts.bootId !== record.bootId || facts.startTime !== record.startTime) return 'not-ours';
  return 'ours';
}

export function parsePidRecord(text: string): PidRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<PidRecord>;
    if (
      typeof r.name === 'string' &&
      typeof r.kind === 'string' &&
      typeof r.wave === 'number' &&
      typeof r.pid === 'number' &&
      Number.isInteger(r.pid) &&
      r.pid > 1 &&
      typeof r.startTime === 'string' &&
      typeof r.bootId === 'string'
    )
      return r as PidRecord;
  } catch {
    // a torn or foreign file: not a record
  }
  return undefined;
}

/** State and start time from the text of /proc/<pid>/stat (the command name may hold spaces). */
export function parseProcStat(text: string): { state: string; startTime: string } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || startTime === undefined || !/^\d+$/.test(startTime)) return undefined;
  return { state, startTime };
}

export interface Observed {
  readonly record: PidRecord;
  readonly verdict: Verdict;
}

export type UpDecision =
  | { readonly go: true; readonly stop: readonly PidRecord[] }
  | { readonly go: false; readonly reason: string };

/**
 * Whether `up` may start: a live runner owns the stack (in the foreground, or as the daemon of a
 * detached start) → no. A detached stack left by a runner that died, whose every process still runs → no (it is up; `make down` first). Anything else is the rest of a crash: stop our
 * orphans and start over.
 */
export function decideUp(
  runner: Observed | undefined,
  services: readonly Observed[],
  detached: boolean,
): UpDecision {
  if (runner?.verdict === 'ours')
    return {
      go: false,
      reason: detached
        ? `this stack is already running (started detached, supervised by pid ${runner.record.pid}): \`make down\` stops it`
        : `a runner (pid ${runner.record.pid}) is running this stack: stop it with Ctrl-C or \`make down\``,
    };
  const ours = services.filter((s) => s.verdict === 'ours');
  if (detached && services.length > 0 && ours.length === services.length)
    return {
      go: false,
      reason: 'this stack is already running (started detached): `make down` stops it',
    };
  return { go: true, stop: ours.map((s) => s.record) };
}

export type DataDirAction = 'reuse' | 'initialise';

/** A data directory is reused only when its initialisation finished (the marker exists). */
export const dataDirAction = (markerExists: boolean): DataDirAction =>
  markerExists ? 'reuse' : 'initialise';

/** Groups records into stop waves, highest start wave first (reverse dependency order). */
export function stopWaves(records: readonly PidRecord[]): PidRecord[][] {
  const byWave = new Map<number, PidRecord[]>();
  for (const r of records) byWave.set(r.wave, [...(byWave.get(r.wave) ?? []), r]);
  return [...byWave.entries()].sort(([a], [b]) => b - a).map(([, group]) => group);
}
