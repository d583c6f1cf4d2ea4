/**
 * What the compose tests share: the default-stage plan in compose mode, the parsed
 * docker-compose.yml, and helpers to build a check context or a mutated copy of the document.
 */
import type { Env } from '../../../services/shared/config/env.ts';
import { DEFAULT_STAGE, resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack, type StackPlan } from '../../../services/shared/topology/plan.ts';
import { type CheckContext, checkContext } from './context.ts';
import type { Environment } from './interpolate.ts';
import { loadCompose, repoFileExists } from './load.ts';

export const planFor = (env: Env = {}): StackPlan =>
  planStack(resolveFlags({ STAGE: String(DEFAULT_STAGE), ...env }), { mode: 'compose' });

export const DEFAULT_PLAN = planFor();

export const COMPOSE_DOC: unknown = loadCompose();

export const contextFor = (
  doc: unknown = COMPOSE_DOC,
  options: {
    plan?: StackPlan;
    env?: Environment;
    fileExists?: (path: string) => boolean;
  } = {},
): CheckContext =>
  checkContext(
    doc,
    options.plan ?? DEFAULT_PLAN,
    options.fileExists ?? repoFileExists,
    options.env ?? {},
  );

/** A plain object inside a parsed document, for mutating a copy; throws when there is none. */
export function obj(v: unknown, what = 'value'): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`${what} is not a map`);
  return v as Record<string, unknown>;
}

/** A deep copy (anchors and merges no longer share objects) changed by `change`. */
export function mutated(doc: unknown, change: (root: Record<string, unknown>) => void): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(doc));
  change(obj(copy, 'document'));
  return copy;
}

export const serviceOf = (root: Record<string, unknown>, name: string): Record<string, unknown> =>
  obj(obj(root.services, 'services')[name], `service ${name}`);

export const envOf = (root: Record<string, unknown>, name: string): Record<string, unknown> =>
  obj(serviceOf(root, name).environment, `${name}.environment`);
