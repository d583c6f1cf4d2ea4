/**
 * Which MariaDB server takes writes, decided from what every server says about itself. Pure.
 *
 * The topology record lives in `scaling_lab_control.topology` and replicates like any table: each
 * promotion (`make promote`, the db-monitor) writes a row with the next epoch on the server it
 * promotes, naming that server's @@server_id as the writer and the old primary as fenced. Servers
 * that follow the new writer soon hold the new row; a fenced old primary never does (it is cut off,
 * and when it comes back it still says the old epoch). So the newest epoch any reachable server
 * holds is the truth, and a server with an older record is never written to: the old primary is
 * refused by every client even if it returns writable.
 */

export const CONTROL_DATABASE = 'scaling_lab_control';
export const TOPOLOGY_TABLE = `${CONTROL_DATABASE}.topology`;

export interface TopologyRecord {
  readonly epoch: number;
  /** @@server_id of the server that takes writes. */
  readonly writerId: number;
  /** @@server_ids that must not serve (old primaries not yet rejoined). */
  readonly fencedIds: readonly number[];
}

/** One server as it answered a poll; undefined when it did not answer. */
export interface Observation {
  readonly serverId: number;
  readonly readOnly: boolean;
  /** The newest record it holds (undefined: it has no control table yet). */
  readonly record: TopologyRecord | undefined;
}

export interface Decision {
  /** Index (into the configured servers) of the writer. */
  readonly writer: number;
  /** Indexes that must serve nothing. */
  readonly fenced: ReadonlySet<number>;
  readonly epoch: number;
}

/** `epoch:writer:fenced,ids` as the poll's single column gives it. */
export function parseRecord(text: string | null | undefined): TopologyRecord | undefined {
  if (text === null || text === undefined) return undefined;
  const m = /^(\d+):(\d+):([\d,]*)$/.exec(text);
  if (m === null) return undefined;
  return {
    epoch: Number(m[1]),
    writerId: Number(m[2]),
    fencedIds: (m[3] ?? '').split(',').filter(Boolean).map(Number),
  };
}

export function newestRecord(
  observations: readonly (Observation | undefined)[],
): TopologyRecord | undefined {
  let best: TopologyRecord | undefined;
  for (const o of observations)
    if (o?.record !== undefined && (best === undefined || o.record.epoch > best.epoch))
      best = o.record;
  return best;
}

/**
 * The writer among the configured servers. `known` maps an index to the server id it last
 * reported (so a writer that is down right now is still recognised). Without any record the
 * configured primary (index 0) writes, as before failover existed.
 */
export function decideWriter(
  observations: readonly (Observation | undefined)[],
  known: ReadonlyMap<number, number>,
  previous: Decision,
): Decision {
  const record = newestRecord(observations);
  if (record === undefined || record.epoch < previous.epoch) return previous;
  const idOf = (i: number) => observations[i]?.serverId ?? known.get(i);
  const indexes = [...Array(Math.max(observations.length, known.size)).keys()];
  const writer = indexes.find((i) => idOf(i) === record.writerId);
  const fenced = new Set(indexes.filter((i) => record.fencedIds.includes(idOf(i) ?? -1)));
  return { writer: writer ?? previous.writer, fenced, epoch: record.epoch };
}

/** GTID positions compared by sequence number per domain: is `a` at or past `b` everywhere? */
export function gtidSeqs(pos: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const part of pos
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [domain, , seq] = part.split('-').map(Number);
    if (domain !== undefined && seq !== undefined)
      out.set(domain, Math.max(out.get(domain) ?? 0, seq));
  }
  return out;
}

/** Transactions `a` has that `b` lacks, counted by sequence number over every domain. */
export function gtidAhead(a: string, b: string): number {
  const sa = gtidSeqs(a);
  const sb = gtidSeqs(b);
  let ahead = 0;
  for (const [domain, seq] of sa) ahead += Math.max(0, seq - (sb.get(domain) ?? 0));
  return ahead;
}
