/**
 * The member files of the pools the autoscaler scales (AUTOSCALE=on natively): written whole to a
 * temporary file and renamed, so the LB, which re-reads them every second, never sees half a list.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WebPool } from '../../services/shared/topology/addresses.ts';
import {
  memberFile,
  memberFileText,
  scaledPools,
} from '../../services/shared/topology/autoscale.ts';
import type { PlannedService, StackPlan } from '../../services/shared/topology/plan.ts';

export const addressOf = (s: PlannedService): string => `${s.host}:${String(s.ports.http)}`;

/** Each scaled pool's member file as the stack starts: the servers that are not standby. */
export function writeStartingMembers(plan: StackPlan, stackDir: string): void {
  for (const pool of scaledPools(plan.flags)) {
    const members = plan.services.filter(
      (s) => s.kind === 'web' && s.pool === pool && s.standby !== true,
    );
    writeMembers(stackDir, pool, members);
  }
}

export function writeMembers(
  stackDir: string,
  pool: WebPool,
  members: readonly PlannedService[],
): void {
  const file = memberFile(stackDir, pool);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, memberFileText(pool, members.map(addressOf)));
  renameSync(tmp, file);
}
