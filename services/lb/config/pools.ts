/**
 * `LB_POOLS`: `pool=target,target;pool=...` where a target is `host:port` (static) or
 * `dns:name:port` (re-resolved periodically; every address found is a backend), optionally followed
 * by `*weight` (an integer 0–256, default 1; weight 0 takes no new clients but keeps sticky ones).
 * Examples: `web=127.0.0.31:3000*2,127.0.0.32:3000` · `web=dns:web:3000;read-api=dns:read-api:3000`.
 * A target `file:/absolute/path` names a member list re-read as often as DNS names are resolved:
 * one `host:port[*weight]` per line (blank lines and `#` comments ignored). Whoever adds and
 * removes servers (the native runner when it scales a pool) rewrites the file; the LB follows
 * without a restart.
 */
import type { Parser } from '../../shared/config/env.ts';

export type TargetSpec =
  | {
      readonly kind: 'static';
      readonly host: string;
      readonly port: number;
      readonly weight: number;
    }
  | { readonly kind: 'dns'; readonly name: string; readonly port: number; readonly weight: number }
  | { readonly kind: 'file'; readonly path: string };

export interface PoolSpec {
  readonly name: string;
  readonly targets: readonly TargetSpec[];
}

export const MAX_WEIGHT = 256;
const POOL_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;

function parsePort(raw: string): number | undefined {
  if (!/^\d{1,5}$/.test(raw)) return undefined;
  const port = Number(raw);
  return port >= 1 && port <= 65535 ? port : undefined;
}

function splitWeight(raw: string): { body: string; weight: number } | undefined {
  const star = raw.lastIndexOf('*');
  if (star === -1) return { body: raw, weight: 1 };
  const text = raw.slice(star + 1);
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const weight = Number(text);
  return weight <= MAX_WEIGHT ? { body: raw.slice(0, star), weight } : undefined;
}

const MEMBER_FILE = /^file:(\/[^,;*\s]+)$/;

export function parseTarget(raw: string): TargetSpec | undefined {
  const file = MEMBER_FILE.exec(raw.trim());
  if (file?.[1] !== undefined) return { kind: 'file', path: file[1] };
  const split = splitWeight(raw.trim());
  if (split === undefined) return undefined;
  const { body, weight } = split;
  const colon = body.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const port = parsePort(body.slice(colon + 1));
  const head = body.slice(0, colon);
  if (port === undefined) return undefined;
  if (head.startsWith('dns:')) {
    const name = head.slice(4);
    return HOSTNAME.test(name) ? { kind: 'dns', name, port, weight } : undefined;
  }
  if (IPV6.test(head)) return { kind: 'static', host: head.slice(1, -1), port, weight };
  return HOSTNAME.test(head) ? { kind: 'static', host: head, port, weight } : undefined;
}

/** Parses the whole `LB_POOLS` value; undefined when any part is malformed or a pool repeats. */
export function parsePools(raw: string): PoolSpec[] | undefined {
  const pools: PoolSpec[] = [];
  for (const part of raw.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) return undefined;
    const name = part.slice(0, eq).trim();
    if (!POOL_NAME.test(name) || pools.some((p) => p.name === name)) return undefined;
    const targets: TargetSpec[] = [];
    for (const item of part.slice(eq + 1).split(',')) {
      if (item.trim() === '') continue;
      const target = parseTarget(item);
      if (target === undefined) return undefined;
      targets.push(target);
    }
    if (targets.length === 0) return undefined;
    pools.push({ name, targets });
  }
  return pools.length > 0 ? pools : undefined;
}

/** The backends a member file lists (lines that are not `host:port[*weight]` are skipped). */
export function parseMemberList(text: string): { host: string; port: number; weight: number }[] {
  return text.split('\n').flatMap((line) => {
    const body = line.replace(/#.*/, '').trim();
    if (body === '') return [];
    const t = parseTarget(body);
    return t?.kind === 'static' ? [{ host: t.host, port: t.port, weight: t.weight }] : [];
  });
}

export const poolsParser: Parser<PoolSpec[]> = {
  expected:
    'pool=host:port[*weight],...;pool=dns:name:port[*weight];pool=file:/path (pool names a-z0-9-, weights 0-256)',
  parse: parsePools,
};
