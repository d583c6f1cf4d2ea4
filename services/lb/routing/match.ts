/** Picks the pool for a request from the routing rules (first match wins). Pure and allocation-free. */
import type { RouteRule } from './rules.ts';

/** True when `path` (which may carry a query) starts with `prefix` on a segment boundary. */
export function prefixMatches(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  if (path.length === prefix.length || prefix.endsWith('/')) return true;
  const next = path.charCodeAt(prefix.length);
  return next === 47 /* / */ || next === 63 /* ? */;
}

export interface Router {
  /** Index of the chosen pool in the pool list given to createRouter. */
  route(method: string, path: string): number;
}

export function createRouter(
  rules: readonly RouteRule[],
  poolNames: readonly string[],
  defaultPool: string,
): Router {
  const compiled = rules.map((r) => ({
    pool: poolNames.indexOf(r.pool),
    methods: r.methods,
    prefixes: r.prefixes,
  }));
  const fallback = poolNames.indexOf(defaultPool);
  if (fallback === -1 || compiled.some((c) => c.pool === -1)) {
    throw new Error('routing rules name a pool that is not configured');
  }
  if (compiled.length === 0) return { route: () => fallback };
  return {
    route(method, path) {
      for (const rule of compiled) {
        if (rule.methods !== null && !rule.methods.includes(method)) continue;
        for (const prefix of rule.prefixes) if (prefixMatches(path, prefix)) return rule.pool;
      }
      return fallback;
    },
  };
}
