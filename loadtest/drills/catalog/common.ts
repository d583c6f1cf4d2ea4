/** What the drills of the catalog share: request groups and skip rules. */
import type { Kind } from '../../mixed-load/actions.ts';
import type { StackFile } from '../stack.ts';

export const READS: readonly Kind[] = ['feed', 'read', 'anon'];
export const WRITES: readonly Kind[] = ['write', 'upload'];

/** A skip rule: the stack must have this service. */
export const has = (name: string) => (stack: StackFile) =>
  stack.services.some((s) => s.name === name) ? undefined : `the stack has no ${name}`;
