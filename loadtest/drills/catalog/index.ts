/**
 * The drills: one per RELIABILITY.md row about the app, the data tier and the runner (and the LB
 * rows that are cheap to drill). Each names its fault, the requests it touches, and the checks
 * that hold it to the row's figures.
 */
import type { Drill } from '../drill.ts';
import { DATA_TIER_DRILLS } from './data-tier.ts';
import { PROCESS_DRILLS } from './processes.ts';
import { SLOW_DEPENDENCY_DRILLS } from './slow.ts';

export const DRILLS: readonly Drill[] = [
  ...DATA_TIER_DRILLS,
  ...PROCESS_DRILLS,
  ...SLOW_DEPENDENCY_DRILLS,
];

export function drillNamed(name: string): Drill {
  const drill = DRILLS.find((d) => d.name === name);
  if (drill === undefined)
    throw new Error(
      `no drill ${JSON.stringify(name)}; drills: ${DRILLS.map((d) => d.name).join(', ')}`,
    );
  return drill;
}
