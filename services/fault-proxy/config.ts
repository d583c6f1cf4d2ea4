/**
 * The fault proxy's configuration, parsed once: where its admin API listens, and its proxies as
 * FAULT_PROXY_ROUTES=`name=listenHost:port>upstreamHost:port;...` (the stack plan writes it).
 */
import {
  ConfigError,
  type Env,
  field,
  hostPort,
  integer,
  oneOf,
  parseEnv,
  text,
} from '../shared/config/env.ts';
import { LOG_LEVELS } from '../shared/logger.ts';
import type { Endpoint } from './proxy.ts';

export interface Route {
  readonly name: string;
  readonly listen: Endpoint;
  readonly upstream: Endpoint;
}

const schema = {
  FAULT_PROXY_HOST: field(text(), '127.0.0.1'),
  FAULT_PROXY_ADMIN_PORT: field(integer(1, 65535), 8474),
  FAULT_PROXY_ROUTES: field(text(), ''),
  LOG_LEVEL: field(oneOf(LOG_LEVELS), 'info'),
};

export interface FaultProxyConfig {
  readonly host: string;
  readonly adminPort: number;
  readonly routes: readonly Route[];
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

const endpoint = (raw: string): Endpoint | undefined => {
  const parsed = hostPort.parse(raw);
  return parsed === undefined ? undefined : { host: parsed.host, port: parsed.port };
};

/** Parses `name=host:port>host:port;...`; undefined when any part is malformed. Pure. */
export function parseRoutes(raw: string): Route[] | undefined {
  const routes: Route[] = [];
  for (const part of raw.split(';').filter((p) => p.trim() !== '')) {
    const match = /^([\w-]{1,64})=([^>]+)>(.+)$/.exec(part.trim());
    const listen = match ? endpoint(match[2] ?? '') : undefined;
    const upstream = match ? endpoint(match[3] ?? '') : undefined;
    if (!match || !listen || !upstream) return undefined;
    routes.push({ name: match[1] ?? '', listen, upstream });
  }
  return new Set(routes.map((r) => r.name)).size === routes.length ? routes : undefined;
}

export function loadFaultProxyConfig(env: Env): FaultProxyConfig {
  const c = parseEnv(env, schema);
  const routes = parseRoutes(c.FAULT_PROXY_ROUTES);
  if (routes === undefined)
    throw new ConfigError([
      'FAULT_PROXY_ROUTES: expected unique `name=listenHost:port>upstreamHost:port` separated by ;',
    ]);
  return Object.freeze({
    host: c.FAULT_PROXY_HOST,
    adminPort: c.FAULT_PROXY_ADMIN_PORT,
    routes,
    logLevel: c.LOG_LEVEL,
  });
}
