/**
 * `LB_ROUTES` (format in services/shared/topology/routes.ts): `pool=METHOD,METHOD:/prefix,/prefix;...`.
 * The method list may be omitted or `*` (any method). First matching rule wins; a prefix matches on
 * a path-segment boundary (`/api/posts` matches `/api/posts`, `/api/posts/1`, `/api/posts?x`, not
 * `/api/postsx`; a prefix ending in `/` matches anything below it). Unmatched requests go to the
 * default pool.
 */
import type { Parser } from '../../shared/config/env.ts';

export interface RouteRule {
  readonly pool: string;
  /** Upper-case methods; null means any method. */
  readonly methods: readonly string[] | null;
  readonly prefixes: readonly string[];
}

const METHOD = /^[A-Z]{1,20}$/;
const PREFIX = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
const POOL = /^[a-z0-9][a-z0-9-]{0,31}$/;

function parseRule(part: string): RouteRule | undefined {
  const eq = part.indexOf('=');
  if (eq === -1) return undefined;
  const pool = part.slice(0, eq).trim();
  const rest = part.slice(eq + 1).trim();
  if (!POOL.test(pool)) return undefined;
  const colon = rest.indexOf(':/');
  const methodText = colon === -1 ? '*' : rest.slice(0, colon);
  const prefixText = colon === -1 ? rest : rest.slice(colon + 1);
  let methods: string[] | null = null;
  if (methodText.trim() !== '*') {
    methods = methodText.split(',').map((m) => m.trim().toUpperCase());
    if (methods.length === 0 || !methods.every((m) => METHOD.test(m))) return undefined;
  }
  const prefixes = prefixText.split(',').map((p) => p.trim());
  if (prefixes.length === 0 || !prefixes.every((p) => PREFIX.test(p))) return undefined;
  return { pool, methods, prefixes };
}

export function parseRoutes(raw: string): RouteRule[] | undefined {
  const rules: RouteRule[] = [];
  for (const part of raw.split(';')) {
    if (part.trim() === '') continue;
    const rule = parseRule(part);
    if (rule === undefined) return undefined;
    rules.push(rule);
  }
  return rules;
}

export const routesParser: Parser<RouteRule[]> = {
  expected: 'pool=METHOD,METHOD:/prefix,/prefix;pool=... (methods optional)',
  parse: parseRoutes,
};
