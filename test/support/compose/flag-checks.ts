/**
 * The stage flags in docker-compose.yml: every flag reaches every app service as `${NAME:-}` (unset
 * means "the STAGE preset", set means it wins), STAGE defaults to the plan's stage, and the values
 * the services resolve equal the plan's. Replica counts and CPU limits follow the same flags.
 */
import {
  FLAG_VARIABLE_NAMES,
  FLAG_VARIABLES,
  flagsToEnv,
  resolveFlags,
} from '../../../services/shared/config/flags.ts';
import type { WebPool } from '../../../services/shared/topology/addresses.ts';
import { type Check, type CheckContext, serviceIn } from './context.ts';

/** Plan kinds that read the stage flags. */
const APP_KINDS: ReadonlySet<string> = new Set(['web', 'lb']);

/** The flag that sizes each web pool. */
export const POOL_SIZE_VARIABLE: Readonly<Record<WebPool, keyof typeof FLAG_VARIABLES>> = {
  web: 'WEB_REPLICAS',
  'read-api': 'READ_API_REPLICAS',
  'write-api': 'WRITE_API_REPLICAS',
};

const appServices = (ctx: CheckContext) => ctx.expected.filter((s) => APP_KINDS.has(s.kind));

export const expectedFlagValue = (name: string, stage: number): string =>
  name === 'STAGE' ? `\${STAGE:-${stage}}` : `\${${name}:-}`;

const flagsPassed: Check = (ctx) =>
  appServices(ctx).flatMap((planned) => {
    const env = serviceIn(ctx.raw, planned.composeService)?.environment ?? {};
    return FLAG_VARIABLE_NAMES.filter(
      (name) => env[name] !== expectedFlagValue(name, ctx.plan.flags.stage),
    ).map((name) =>
      name in env
        ? `${planned.composeService}: ${name} is ${JSON.stringify(env[name])}, want ${JSON.stringify(expectedFlagValue(name, ctx.plan.flags.stage))}`
        : `${planned.composeService}: flag ${name} is not passed`,
    );
  });

const flagValues: Check = (ctx) =>
  appServices(ctx).flatMap((planned) => {
    const env = serviceIn(ctx.resolved, planned.composeService)?.environment ?? {};
    const flagEnv = Object.fromEntries(
      FLAG_VARIABLE_NAMES.map((n) => [n, env[n] ?? undefined] as const),
    );
    try {
      const have = flagsToEnv(resolveFlags(flagEnv));
      const want = flagsToEnv(ctx.plan.flags);
      return FLAG_VARIABLE_NAMES.filter((n) => have[n] !== want[n]).map(
        (n) => `${planned.composeService}: resolves ${n}=${have[n]}, the plan has ${want[n]}`,
      );
    } catch (error) {
      return [`${planned.composeService}: its flags do not resolve: ${String(error)}`];
    }
  });

const references = (raw: string | undefined, variable: string) =>
  raw !== undefined && new RegExp(`^\\$\\{${variable}(:-[^}]*)?\\}$`).test(raw);

const scaling: Check = (ctx) =>
  ctx.expected.flatMap((planned) => {
    const name = planned.composeService;
    const raw = serviceIn(ctx.raw, name);
    const resolved = serviceIn(ctx.resolved, name);
    const problems: string[] = [];
    const variable =
      planned.pool !== undefined
        ? POOL_SIZE_VARIABLE[planned.pool]
        : planned.kind === 'worker'
          ? 'WORKER_REPLICAS'
          : undefined;
    if (variable !== undefined) {
      const want = ctx.plan.flags[FLAG_VARIABLES[variable].key];
      if (!references(raw?.replicas, variable))
        problems.push(
          `${name}: deploy.replicas is ${raw?.replicas}, want \${${variable}:-${want}}`,
        );
      else if (Number(resolved?.replicas) !== want)
        problems.push(`${name}: ${resolved?.replicas} replicas by default, the plan has ${want}`);
    }
    const quota = planned.quota;
    if (quota !== null && !(planned.kind === 'mysql-primary' && planned.appBox)) {
      const { variable, cpus: want } = quota;
      if (!references(raw?.cpus, variable))
        problems.push(`${name}: cpus is ${raw?.cpus}, want \${${variable}:-${want}}`);
      else if (Number(resolved?.cpus) !== want)
        problems.push(`${name}: ${resolved?.cpus} CPUs by default, the plan has ${want}`);
    }
    return problems;
  });

export const FLAG_CHECKS: Readonly<Record<string, Check>> = {
  'flags-passed': flagsPassed,
  'flag-values': flagValues,
  scaling,
};
