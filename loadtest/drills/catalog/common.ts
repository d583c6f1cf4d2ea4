/** What the drills of the catalog share: request groups and skip rules. */
import type { Kind } from '../../mixed-load/actions.ts';
import { failOnlyWith, ledgerClean, noFailures, resumes } from '../checks.ts';
import type { Drill } from '../drill.ts';
import type { StackFile } from '../stack.ts';

export const READS: readonly Kind[] = ['feed', 'read', 'anon'];
export const WRITES: readonly Kind[] = ['write', 'upload'];

/** A skip rule: the stack must have this service. */
export const has = (name: string) => (stack: StackFile) =>
  stack.services.some((s) => s.name === name) ? undefined : `the stack has no ${name}`;

/**
 * RELIABILITY's Redis row, whatever the fault (killed, paused, swallowing requests): anonymous
 * pages keep working, logged-in routes answer only 503 or 401, and all resume within `resumeMs`.
 */
export const redisOutage = (resumeMs: number): Pick<Drill, 'affected' | 'checks'> => ({
  affected: ['feed', 'cart', 'write', 'login'],
  checks: () => [
    noFailures(['anon']),
    failOnlyWith(['feed', 'read', 'cart', 'write', 'ryw', 'login', 'upload'], ['503', '401']),
    resumes(['feed', 'cart', 'write'], resumeMs),
    ledgerClean,
  ],
});
