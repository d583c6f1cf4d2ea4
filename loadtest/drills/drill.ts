/** What a drill is: a fault on the running stack under a mixed load, and what RELIABILITY.md expects. */
import type { Kind } from '../mixed-load/actions.ts';
import type { Check } from './checks.ts';
import type { Fault } from './faults/fault.ts';
import type { StackFile } from './stack.ts';

export interface Drill {
  readonly name: string;
  /** The RELIABILITY.md row it drills, in its words. */
  readonly row: string;
  /** Why this stack cannot run the drill (a flag it lacks), or undefined. */
  readonly skip?: (stack: StackFile) => string | undefined;
  readonly fault: (stack: StackFile) => Fault;
  /** The kinds of request the fault is expected to touch (for detection and p99). */
  readonly affected: readonly Kind[];
  readonly mix?: Partial<Record<Kind, number>>;
  /** How long the fault lasts before it is healed (default 8 s). */
  readonly holdMs?: number;
  /** How long the load goes on after the heal (default 8 s). */
  readonly observeMs?: number;
  readonly checks: (stack: StackFile) => readonly Check[];
  /** Run after the heal, before the load stops: facts for the checks (`observed`). */
  readonly probe?: (context: ProbeContext) => Promise<Record<string, number>>;
}

export interface ProbeContext {
  readonly stack: StackFile;
  readonly entry: string;
  readonly ca: Buffer;
}
