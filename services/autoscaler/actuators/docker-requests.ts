/**
 * The Docker Engine API requests that scale a compose service, pure. Compose itself is a client:
 * the engine has no "scale" call, so scaling out clones one running container of the service
 * (its image, command, environment, labels, host config and networks with the service's alias,
 * so the LB's `dns:<service>` target finds it) under the next container number, and scaling in
 * stops the highest-numbered containers (SIGTERM, the stop timeout as grace) and removes them.
 * API version 1.44 (Docker Engine 25+): ContainerCreate takes every network at once.
 */

export const DOCKER_API = '/v1.44';
const PROJECT = 'com.docker.compose.project';
const SERVICE = 'com.docker.compose.service';
const NUMBER = 'com.docker.compose.container-number';

export interface ContainerSummary {
  readonly Id: string;
  readonly Labels: Readonly<Record<string, string>>;
  readonly State: string;
}

/** The part of GET /containers/{id}/json that a clone needs. */
export interface ContainerInspect {
  readonly Id: string;
  readonly Config: {
    readonly Image: string;
    readonly Env?: readonly string[];
    readonly Cmd?: readonly string[] | null;
    readonly Entrypoint?: readonly string[] | null;
    readonly WorkingDir?: string;
    readonly User?: string;
    readonly Labels: Readonly<Record<string, string>>;
    readonly ExposedPorts?: Readonly<Record<string, object>>;
    readonly Healthcheck?: object;
    readonly StopSignal?: string;
    readonly StopTimeout?: number;
  };
  readonly HostConfig: Readonly<Record<string, unknown>>;
  readonly NetworkSettings: {
    readonly Networks: Readonly<Record<string, { readonly Aliases?: readonly string[] | null }>>;
  };
  readonly State?: { readonly Health?: { readonly Status: string } };
}

/** GET: the running containers of one compose service. */
export function listPath(project: string, service: string): string {
  const filters = JSON.stringify({ label: [`${PROJECT}=${project}`, `${SERVICE}=${service}`] });
  return `${DOCKER_API}/containers/json?filters=${encodeURIComponent(filters)}`;
}

export const numberOf = (c: { readonly Labels: Readonly<Record<string, string>> }): number =>
  Number(c.Labels[NUMBER] ?? 0);

/** Highest container numbers first: the ones scale-in removes (as `docker compose --scale`). */
export const byNumberDesc = (cs: readonly ContainerSummary[]): ContainerSummary[] =>
  [...cs].sort((a, b) => numberOf(b) - numberOf(a));

/** POST /containers/create?name=…: a copy of `template` numbered `n`. */
export function createRequest(
  template: ContainerInspect,
  project: string,
  service: string,
  n: number,
): { readonly path: string; readonly body: Record<string, unknown> } {
  const c = template.Config;
  const endpoints = Object.fromEntries(
    Object.keys(template.NetworkSettings.Networks).map((net) => [net, { Aliases: [service] }]),
  );
  return {
    path: `${DOCKER_API}/containers/create?name=${encodeURIComponent(`${project}-${service}-${n}`)}`,
    body: {
      Image: c.Image,
      Env: c.Env ?? [],
      ...(c.Cmd ? { Cmd: c.Cmd } : {}),
      ...(c.Entrypoint ? { Entrypoint: c.Entrypoint } : {}),
      ...(c.WorkingDir ? { WorkingDir: c.WorkingDir } : {}),
      ...(c.User ? { User: c.User } : {}),
      ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
      ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
      ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
      ...(c.StopTimeout !== undefined ? { StopTimeout: c.StopTimeout } : {}),
      Labels: { ...c.Labels, [NUMBER]: String(n) },
      HostConfig: template.HostConfig,
      NetworkingConfig: { EndpointsConfig: endpoints },
    },
  };
}

export const inspectPath = (id: string) => `${DOCKER_API}/containers/${id}/json`;
export const startPath = (id: string) => `${DOCKER_API}/containers/${id}/start`;
export const stopPath = (id: string, graceS: number) =>
  `${DOCKER_API}/containers/${id}/stop?t=${graceS}`;
export const removePath = (id: string) => `${DOCKER_API}/containers/${id}`;
