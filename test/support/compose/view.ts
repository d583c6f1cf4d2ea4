/**
 * A typed, normalised view of a parsed docker-compose.yml: the short and long syntaxes compose
 * accepts (environment as list or map, depends_on as list or map, ports as strings or objects,
 * healthcheck test as string or list) become one shape each. Pure; unknown input is narrowed, never
 * trusted.
 */

export interface PortView {
  readonly target: number | undefined;
  readonly published: string | undefined;
  readonly hostIp: string | undefined;
}

export interface ServiceView {
  readonly name: string;
  readonly image: string | undefined;
  readonly build: boolean;
  readonly command: readonly string[] | undefined;
  /** `null`: passed through from the host's environment (`- NAME` / `NAME:` with no value). */
  readonly environment: Readonly<Record<string, string | null>>;
  /** Dependency → condition (`service_started` for the list form). */
  readonly dependsOn: Readonly<Record<string, string>>;
  readonly ports: readonly PortView[];
  readonly expose: readonly number[];
  readonly secrets: readonly string[];
  readonly networks: readonly string[];
  /** Short syntax `source:target[:mode]`; long syntax rendered the same way. */
  readonly volumes: readonly string[];
  readonly healthcheck: { readonly test: readonly string[] } | undefined;
  readonly replicas: string | undefined;
  readonly cpus: string | undefined;
  readonly restart: string | undefined;
  readonly profiles: readonly string[];
  readonly containerName: string | undefined;
}

export interface ComposeView {
  readonly services: readonly ServiceView[];
  readonly networks: Readonly<Record<string, { readonly internal: boolean }>>;
  readonly secrets: Readonly<Record<string, { readonly file: string | undefined }>>;
}

type Dict = Readonly<Record<string, unknown>>;

export const isDict = (v: unknown): v is Dict =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const dict = (v: unknown): Dict => (isDict(v) ? v : {});
const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
const scalar = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
const strings = (v: unknown): string[] =>
  list(v)
    .map(scalar)
    .filter((s): s is string => s !== undefined);

function environment(v: unknown): Record<string, string | null> {
  if (Array.isArray(v)) {
    const out: Record<string, string | null> = {};
    for (const item of strings(v)) {
      const eq = item.indexOf('=');
      if (eq < 0) out[item] = null;
      else out[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return out;
  }
  return Object.fromEntries(Object.entries(dict(v)).map(([k, x]) => [k, scalar(x) ?? null]));
}

function dependsOn(v: unknown): Record<string, string> {
  if (Array.isArray(v)) return Object.fromEntries(strings(v).map((s) => [s, 'service_started']));
  return Object.fromEntries(
    Object.entries(dict(v)).map(([k, x]) => [k, scalar(dict(x).condition) ?? 'service_started']),
  );
}

/** `[[host_ip:]published:]target[/protocol]` (IPv6 hosts in brackets are not used here). */
export function parseShortPort(spec: string): PortView {
  const [address = ''] = spec.split('/');
  const parts = address.split(':');
  const target = Number(parts.at(-1));
  return {
    target: Number.isInteger(target) ? target : undefined,
    published: parts.length >= 2 ? parts.at(-2) : undefined,
    hostIp: parts.length >= 3 ? parts.slice(0, -2).join(':') : undefined,
  };
}

function port(v: unknown): PortView {
  if (!isDict(v)) return parseShortPort(scalar(v) ?? '');
  const target = Number(v.target);
  return {
    target: Number.isInteger(target) ? target : undefined,
    published: scalar(v.published),
    hostIp: scalar(v.host_ip),
  };
}

function volume(v: unknown): string {
  if (!isDict(v)) return scalar(v) ?? '';
  const mode = v.read_only === true ? ':ro' : '';
  return `${scalar(v.source) ?? ''}:${scalar(v.target) ?? ''}${mode}`;
}

function healthcheck(v: unknown): ServiceView['healthcheck'] {
  if (!isDict(v) || v.disable === true) return undefined;
  const test = typeof v.test === 'string' ? ['CMD-SHELL', v.test] : strings(v.test);
  if (test.length === 0 || test[0] === 'NONE') return undefined;
  return { test };
}

function service(name: string, v: Dict): ServiceView {
  const command = typeof v.command === 'string' ? v.command.split(/\s+/) : strings(v.command);
  return {
    name,
    image: scalar(v.image),
    build: v.build !== undefined,
    command: v.command === undefined ? undefined : command,
    environment: environment(v.environment),
    dependsOn: dependsOn(v.depends_on),
    ports: list(v.ports).map(port),
    expose: strings(v.expose).map((e) => Number.parseInt(e, 10)),
    secrets: list(v.secrets)
      .map((s) => (isDict(s) ? scalar(s.source) : scalar(s)))
      .filter((s): s is string => s !== undefined),
    networks: Array.isArray(v.networks) ? strings(v.networks) : Object.keys(dict(v.networks)),
    volumes: list(v.volumes).map(volume),
    healthcheck: healthcheck(v.healthcheck),
    replicas: scalar(dict(v.deploy).replicas),
    cpus: scalar(v.cpus),
    restart: scalar(v.restart),
    profiles: strings(v.profiles),
    containerName: scalar(v.container_name),
  };
}

/** Normalises a parsed compose document (after `<<` merge keys were applied by the parser). */
export function composeView(doc: unknown): ComposeView {
  const d = dict(doc);
  return {
    services: Object.entries(dict(d.services)).map(([name, v]) => service(name, dict(v))),
    networks: Object.fromEntries(
      Object.entries(dict(d.networks)).map(([n, v]) => [
        n,
        { internal: dict(v).internal === true },
      ]),
    ),
    secrets: Object.fromEntries(
      Object.entries(dict(d.secrets)).map(([n, v]) => [n, { file: scalar(dict(v).file) }]),
    ),
  };
}
