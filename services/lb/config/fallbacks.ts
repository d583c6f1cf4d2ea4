/**
 * `LB_POOL_FALLBACK`: `pool=fallback;pool=fallback`. While `pool` has no healthy backend its
 * requests go to `fallback` (HAProxy's `backup` servers, one level: a fallback's own fallback is
 * not followed). The fallback must be able to serve the pool's routes, e.g. `write-api=web`.
 */
import type { Parser } from '../../shared/config/env.ts';

const POOL = /^[a-z0-9][a-z0-9-]{0,31}$/;

export function parseFallbacks(raw: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of raw.split(';')) {
    if (part.trim() === '') continue;
    const [pool = '', fallback = '', ...extra] = part.split('=').map((s) => s.trim());
    if (extra.length > 0 || !POOL.test(pool) || !POOL.test(fallback)) return undefined;
    if (pool === fallback || out[pool] !== undefined) return undefined;
    out[pool] = fallback;
  }
  return out;
}

export const fallbacksParser: Parser<Record<string, string>> = {
  expected: 'pool=fallback;pool=fallback (two different pool names each)',
  parse: parseFallbacks,
};
