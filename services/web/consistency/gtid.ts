/**
 * MariaDB GTID positions, pure: `domain-server-seq` per replication domain, comma-separated (the
 * shape of @@gtid_binlog_pos, @@last_gtid and MASTER_GTID_WAIT's argument). A replica has reached
 * a position when, in every domain the position names, its seq_no is at least as high — the rule
 * MASTER_GTID_WAIT applies. Positions are bounded (MAX_DOMAINS) because they travel in cookies.
 */
export interface GtidEntry {
  readonly domain: number;
  readonly server: number;
  readonly seq: bigint;
}

/** Sorted by domain, at most one entry per domain. */
export type GtidPosition = readonly GtidEntry[];

export const MAX_DOMAINS = 8;
const MAX_U32 = 0xffff_ffff;
const MAX_U64 = (1n << 64n) - 1n;
const ENTRY = /^(\d{1,10})-(\d{1,10})-(\d{1,20})$/;

/** Parses a GTID list; undefined when malformed, repeated in a domain, or too long. */
export function parseGtid(text: string): GtidPosition | undefined {
  if (text.trim() === '') return [];
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > MAX_DOMAINS) return undefined;
  const entries: GtidEntry[] = [];
  for (const part of parts) {
    const match = ENTRY.exec(part);
    if (match === null) return undefined;
    const domain = Number(match[1]);
    const server = Number(match[2]);
    const seq = BigInt(match[3] ?? '');
    if (domain > MAX_U32 || server > MAX_U32 || seq > MAX_U64) return undefined;
    if (entries.some((e) => e.domain === domain)) return undefined;
    entries.push({ domain, server, seq });
  }
  return entries.sort((a, b) => a.domain - b.domain);
}

export const formatGtid = (position: GtidPosition): string =>
  position.map((e) => `${e.domain}-${e.server}-${e.seq}`).join(',');

/** Whether `have` is at or past `want` in every domain `want` names. */
export function gtidCovers(have: GtidPosition, want: GtidPosition): boolean {
  return want.every((w) => {
    const h = have.find((e) => e.domain === w.domain);
    return h !== undefined && h.seq >= w.seq;
  });
}

/** The later of two positions, domain by domain; undefined when it would pass MAX_DOMAINS. */
export function mergeGtid(a: GtidPosition, b: GtidPosition): GtidPosition | undefined {
  const byDomain = new Map<number, GtidEntry>();
  for (const entry of [...a, ...b]) {
    const seen = byDomain.get(entry.domain);
    if (seen === undefined || entry.seq > seen.seq) byDomain.set(entry.domain, entry);
  }
  if (byDomain.size > MAX_DOMAINS) return undefined;
  return [...byDomain.values()].sort((x, y) => x.domain - y.domain);
}

/**
 * The part of a read's position that one replication tier can ever reach: the entries in domains
 * its primary writes (`own`, the primary's @@gtid_binlog_pos). A sharded stack gives each shard
 * server its own domain, so a reader's position after writes on the directory or other shards
 * still lets a shard's replicas answer. Undefined when nothing is left (no causal wait needed).
 */
export function positionWithin(want: GtidPosition, own: GtidPosition): GtidPosition | undefined {
  const domains = new Set(own.map((e) => e.domain));
  const kept = want.filter((e) => domains.has(e.domain));
  return kept.length === 0 ? undefined : kept;
}
