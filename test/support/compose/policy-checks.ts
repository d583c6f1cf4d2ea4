/**
 * The house rules for docker-compose.yml (STYLE.md, Tooling): pinned images, healthchecks
 * everywhere, only the entry point publishes ports (its admin port on loopback only), data stores
 * on an internal network, secrets as files from .secrets/, nothing that stops a service scaling.
 */
import { SECRET_NAMES } from '../../../services/shared/topology/plan.ts';
import { type Check, type CheckContext, plannedFor, sameSet, show } from './context.ts';
import type { ServiceView } from './view.ts';

/** Plan kinds holding state; they must never be reachable from the host. */
export const DATA_STORE_KINDS: ReadonlySet<string> = new Set([
  'mysql-primary',
  'mysql-replica',
  'redis',
  'memcached',
  's3',
]);
/** Plan kinds that are entry points (publish ports). */
const ENTRY_KINDS: ReadonlySet<string> = new Set(['lb', 'cdn']);
/** Entry points that read a data store themselves: the CDN edge fetches from the S3 store. */
const ORIGIN_READERS: ReadonlySet<string> = new Set(['cdn']);

const kindOf = (ctx: CheckContext, s: ServiceView) => plannedFor(ctx, s.name)?.kind;

/** `name:tag` with a tag that names a version; `@sha256:` digests also count as pinned. */
export function imagePinProblem(image: string | undefined, built: boolean): string | undefined {
  if (image === undefined) return built ? undefined : 'has neither image nor build';
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon <= slash) return `image ${image} has no tag`;
  const tag = image.slice(colon + 1);
  if (tag === 'latest') return `image ${image} uses the moving tag latest`;
  if (!built && !/\d/.test(tag)) return `image ${image}: tag ${tag} names no version`;
  return undefined;
}

const pinnedImages: Check = (ctx) =>
  ctx.resolved.services.flatMap((s) => {
    const problem = imagePinProblem(s.image, s.build);
    return problem === undefined ? [] : [`${s.name}: ${problem}`];
  });

const healthchecks: Check = (ctx) =>
  ctx.resolved.services.flatMap((s) => {
    const oneShot = plannedFor(ctx, s.name)?.oneShot === true;
    if (oneShot) return s.restart === 'no' ? [] : [`${s.name}: one-shot, restart must be "no"`];
    const problems = s.healthcheck === undefined ? [`${s.name}: no healthcheck`] : [];
    // The native runner's supervisor restarts what dies unless it was stopped on purpose.
    if (s.restart !== 'unless-stopped')
      problems.push(
        `${s.name}: restart is ${s.restart ?? 'unset'}, want unless-stopped (as the runner)`,
      );
    return problems;
  });

const publishedPorts: Check = (ctx) =>
  ctx.resolved.services.flatMap((s) => {
    const planned = plannedFor(ctx, s.name);
    const published = s.ports.filter((p) => p.published !== undefined);
    if (planned === undefined) {
      // Tools outside the plan (observability profile) may listen on loopback only.
      const open = published.filter((p) => p.hostIp !== '127.0.0.1');
      return open.map((p) => `${s.name}: publishes ${p.target} beyond 127.0.0.1`);
    }
    if (!ENTRY_KINDS.has(planned.kind))
      return s.ports.length === 0 ? [] : [`${s.name}: publishes ports but is not an entry point`];
    const problems: string[] = [];
    const want = Object.values(planned.ports);
    if (
      !sameSet(
        want,
        published.map((p) => p.target),
      )
    )
      problems.push(
        `${s.name}: publishes ${show(published.map((p) => p.target))}, want ${show(want)}`,
      );
    const admin = published.find((p) => p.target === planned.ports.admin);
    if (admin !== undefined && admin.hostIp !== '127.0.0.1')
      problems.push(`${s.name}: admin port ${admin.target} is published beyond 127.0.0.1`);
    return problems;
  });

const internalNetwork: Check = (ctx) =>
  ctx.resolved.services.flatMap((s) => {
    const kind = kindOf(ctx, s);
    const internal = s.networks.filter((n) => ctx.resolved.networks[n]?.internal === true);
    if (kind !== undefined && DATA_STORE_KINDS.has(kind)) {
      if (s.networks.length === 0) return [`${s.name}: data store on the default network`];
      if (internal.length !== s.networks.length)
        return [`${s.name}: data store on a network that is not internal: ${show(s.networks)}`];
    } else if (
      kind !== undefined &&
      ENTRY_KINDS.has(kind) &&
      !ORIGIN_READERS.has(kind) &&
      internal.length > 0
    ) {
      return [`${s.name}: entry point joins the internal network ${show(internal)}`];
    }
    return [];
  });

const reachability: Check = (ctx) =>
  ctx.expected.flatMap((planned) => {
    const from = ctx.resolved.services.find((s) => s.name === planned.composeService);
    return planned.dependsOn
      .filter((dep) => !plannedFor(ctx, dep)?.oneShot)
      .filter((dep) => {
        const to = ctx.resolved.services.find((s) => s.name === dep);
        return !from?.networks.some((n) => to?.networks.includes(n));
      })
      .map((dep) => `${planned.composeService}: shares no network with ${dep}`);
  });

const secretFiles: Check = (ctx) => {
  const declared = ctx.resolved.secrets;
  const problems = sameSet(Object.keys(declared), SECRET_NAMES)
    ? []
    : [`top-level secrets ${show(Object.keys(declared))}, want ${show(SECRET_NAMES)}`];
  for (const [name, { file }] of Object.entries(declared))
    if (file !== `./.secrets/${name}`) problems.push(`secret ${name} comes from ${file}`);
  for (const s of ctx.resolved.services)
    for (const used of s.secrets.filter((n) => !(n in declared)))
      problems.push(`${s.name}: secret ${used} is not declared`);
  return problems;
};

const scalable: Check = (ctx) =>
  ctx.resolved.services
    .filter((s) => s.containerName !== undefined)
    .map((s) => `${s.name}: container_name stops it scaling`);

const bindMounts: Check = (ctx) =>
  ctx.resolved.services.flatMap((s) =>
    s.volumes
      .map((v) => v.split(':')[0] ?? '')
      .filter((source) => source.startsWith('./') && !ctx.fileExists(source.slice(2)))
      .map((source) => `${s.name}: mounts ${source}, which does not exist`),
  );

const interpolation: Check = (ctx) => [...ctx.interpolationProblems];

export const POLICY_CHECKS: Readonly<Record<string, Check>> = {
  'pinned-images': pinnedImages,
  healthchecks,
  'published-ports': publishedPorts,
  'internal-network': internalNetwork,
  reachability,
  'secret-files': secretFiles,
  scalable,
  'bind-mounts': bindMounts,
  interpolation,
};
