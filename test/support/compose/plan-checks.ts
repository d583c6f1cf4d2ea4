/**
 * docker-compose.yml against the topology plan in compose mode: the same services, container
 * ports, healthcheck ports, secrets, dependencies and environment, and the entry points the native
 * runner starts. Every expectation comes from the plan (or the runner), none is written here.
 */
import { ENTRY_POINTS } from '../../../runner/plan/launch-spec.ts';
import { FLAG_VARIABLE_NAMES } from '../../../services/shared/config/flags.ts';
import {
  type Check,
  type CheckContext,
  coreServices,
  plannedFor,
  sameSet,
  serviceIn,
  show,
} from './context.ts';

/** Kinds whose healthcheck cannot name a port, and why. */
export const PORTLESS_HEALTHCHECKS: Readonly<Record<string, string>> = {
  'mysql-primary': "the image's healthcheck.sh reads the port from .my-healthcheck.cnf",
  'mysql-replica': "the image's healthcheck.sh reads the port from .my-healthcheck.cnf",
  'mysql-shard': "the image's healthcheck.sh reads the port from .my-healthcheck.cnf",
  'mysql-shard-replica': "the image's healthcheck.sh reads the port from .my-healthcheck.cnf",
  'mysql-function': "the image's healthcheck.sh reads the port from .my-healthcheck.cnf",
  'mysql-function-replica': "the image's healthcheck.sh reads the port from .my-healthcheck.cnf",
  s3: "mc's built-in `local` alias is http://localhost:9000",
};

/** Ports a healthcheck command talks to: `host:port`, `/dev/tcp/host/port`, `-p port`. */
export function healthcheckPorts(test: readonly string[]): number[] {
  const text = test.join(' ');
  const found = [
    ...text.matchAll(/(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)/g),
    ...text.matchAll(/\/dev\/tcp\/[^/\s]+\/(\d+)/g),
    ...text.matchAll(/\s-p\s+(\d+)/g),
  ];
  return found.map((m) => Number(m[1]));
}

const services: Check = (ctx) => {
  const want = ctx.expected.map((s) => s.composeService);
  const have = coreServices(ctx.raw).map((s) => s.name);
  return sameSet(want, have)
    ? []
    : [`compose runs ${show(have)} without a profile, the plan has ${show(want)}`];
};

const perService =
  (fn: (ctx: CheckContext, name: string) => string[]): Check =>
  (ctx) =>
    coreServices(ctx.resolved).flatMap((s) =>
      plannedFor(ctx, s.name) ? fn(ctx, s.name).map((m) => `${s.name}: ${m}`) : [],
    );

const ports = perService((ctx, name) => {
  const s = serviceIn(ctx.resolved, name);
  const want = Object.values(plannedFor(ctx, name)?.ports ?? {});
  const have = [...(s?.expose ?? []), ...(s?.ports ?? []).map((p) => p.target)];
  return sameSet(want, have) ? [] : [`container ports ${show(have)}, the plan has ${show(want)}`];
});

const healthcheckPort = perService((ctx, name) => {
  const planned = plannedFor(ctx, name);
  const test = serviceIn(ctx.resolved, name)?.healthcheck?.test;
  if (planned === undefined || planned.oneShot || test === undefined) return [];
  const named = healthcheckPorts(test);
  const own = Object.values(planned.ports);
  const foreign = named.filter((p) => !own.includes(p));
  if (foreign.length > 0) return [`healthcheck probes ${show(foreign)}, not ${show(own)}`];
  if (named.length === 0 && own.length > 0 && PORTLESS_HEALTHCHECKS[planned.kind] === undefined)
    return [`healthcheck names none of its ports ${show(own)}`];
  return [];
});

const secrets = perService((ctx, name) => {
  const want = plannedFor(ctx, name)?.secrets ?? [];
  const have = serviceIn(ctx.resolved, name)?.secrets ?? [];
  return sameSet(want, have) ? [] : [`secrets ${show(have)}, the plan has ${show(want)}`];
});

const dependsOn = perService((ctx, name) => {
  const have = serviceIn(ctx.resolved, name)?.dependsOn ?? {};
  const missing = (plannedFor(ctx, name)?.dependsOn ?? []).filter((d) => !(d in have));
  const problems = missing.map((d) => `does not depend on ${d} (the plan says it does)`);
  for (const [dep, condition] of Object.entries(have)) {
    const wanted = plannedFor(ctx, dep)?.oneShot
      ? 'service_completed_successfully'
      : 'service_healthy';
    if (condition !== wanted) problems.push(`depends on ${dep} with ${condition}, not ${wanted}`);
  }
  return problems;
});

const FLAGS: ReadonlySet<string> = new Set(FLAG_VARIABLE_NAMES);

const environment = perService((ctx, name) => {
  const have = serviceIn(ctx.resolved, name)?.environment ?? {};
  return Object.entries(plannedFor(ctx, name)?.env ?? {})
    .filter(([key]) => !FLAGS.has(key))
    .filter(([key, value]) => have[key] !== value)
    .map(([key, value]) =>
      key in have
        ? `${key} is ${JSON.stringify(have[key])}, the plan says ${JSON.stringify(value)}`
        : `${key} is missing (the plan says ${JSON.stringify(value)})`,
    );
});

const entryPoints = perService((ctx, name) => {
  const planned = plannedFor(ctx, name);
  const s = serviceIn(ctx.resolved, name);
  if (planned === undefined || s === undefined || !s.build) return [];
  const entry = (ENTRY_POINTS as Readonly<Record<string, string>>)[planned.kind];
  if (entry === undefined) return [`built from our image but ${planned.kind} has no entry point`];
  const problems: string[] = [];
  if (JSON.stringify(s.command) !== JSON.stringify(['node', entry]))
    problems.push(`command ${JSON.stringify(s.command)}, want ["node", "${entry}"]`);
  const source = entry.replace(/^dist\//, '').replace(/\.js$/, '.ts');
  if (!ctx.fileExists(source)) problems.push(`${entry} is built from ${source}, which is missing`);
  return problems;
});

export const PLAN_CHECKS: Readonly<Record<string, Check>> = {
  services,
  ports,
  'healthcheck-port': healthcheckPort,
  secrets,
  'depends-on': dependsOn,
  environment,
  'entry-points': entryPoints,
};
