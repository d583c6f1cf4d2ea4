/**
 * What every compose check looks at: the file as written and as compose would read it with a given
 * environment, the topology plan it must match, and which services the plan expects. Pure, apart
 * from the injected `fileExists`.
 */
import type { Flags } from '../../../services/shared/config/flags.ts';
import {
  type PlannedService,
  planStack,
  type StackPlan,
} from '../../../services/shared/topology/plan.ts';
import { type Environment, interpolateDocument } from './interpolate.ts';
import { type ComposeView, composeView, type ServiceView } from './view.ts';

export interface CheckContext {
  /** As written: `${VAR:-default}` still in place. */
  readonly raw: ComposeView;
  /** As compose reads it with `env` (an empty environment unless a test says otherwise). */
  readonly resolved: ComposeView;
  readonly interpolationProblems: readonly string[];
  readonly plan: StackPlan;
  /** The plan's services, plus known extras docker-compose.yml runs before the plan has them. */
  readonly expected: readonly PlannedService[];
  /** Whether a path relative to the repository exists. */
  readonly fileExists: (repoPath: string) => boolean;
}

/** A check returns one message per problem; an empty list means the file passes it. */
export type Check = (ctx: CheckContext) => string[];

/**
 * Services compose may run although the plan does not have them yet, each with the flag value
 * that brings it into the plan (its definition is then taken from that plan). Allowed only while
 * the plan lacks them: once a flag's machinery lands and the default stage plans the service, the
 * ordinary checks cover it.
 */
export const KNOWN_EXTRAS: Readonly<Record<string, Partial<Flags>>> = {
  memcached: { cache: 'memcached' },
  worker: { thumbnails: 'queue' },
  cdn: { cdn: 'on' },
  autoscaler: { autoscale: 'on' },
  'db-monitor': { dbFailover: 'auto' },
  'mysql-primary-2': { dbTopology: 'master-master' },
};

function expectedServices(plan: StackPlan): PlannedService[] {
  const names = new Set(plan.services.map((s) => s.composeService));
  const extras = Object.entries(KNOWN_EXTRAS)
    .filter(([name]) => !names.has(name))
    .flatMap(([name, flags]) =>
      planStack({ ...plan.flags, ...flags }, { mode: 'compose' }).services.filter(
        (s) => s.composeService === name,
      ),
    );
  return [...plan.services, ...extras];
}

export function checkContext(
  doc: unknown,
  plan: StackPlan,
  fileExists: (repoPath: string) => boolean,
  env: Environment = {},
): CheckContext {
  const resolved = interpolateDocument(doc, env);
  return {
    raw: composeView(doc),
    resolved: composeView(resolved.value),
    interpolationProblems: resolved.problems,
    plan,
    expected: expectedServices(plan),
    fileExists,
  };
}

export const serviceIn = (view: ComposeView, name: string): ServiceView | undefined =>
  view.services.find((s) => s.name === name);

/** Compose services that run without a profile (the stack itself). */
export const coreServices = (view: ComposeView): ServiceView[] =>
  view.services.filter((s) => s.profiles.length === 0);

export const plannedFor = (ctx: CheckContext, name: string): PlannedService | undefined =>
  ctx.expected.find((s) => s.composeService === name);

export const sameSet = (a: Iterable<unknown>, b: Iterable<unknown>): boolean => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};

export const show = (values: Iterable<unknown>): string =>
  `[${[...values].map(String).sort().join(', ')}]`;
