/**
 * Errant transactions: what an old primary wrote that the new writer never received (orchestrator's
 * term). Read from the two servers' @@gtid_binlog_state, which keeps the last sequence number of
 * every (domain, server) pair; sequence numbers only grow within a domain, so each pair where the
 * old primary is ahead is a range it alone has. Pure.
 */

export interface GtidRange {
  readonly domain: number;
  readonly serverId: number;
  /** First and last sequence number the writer lacks. */
  readonly from: number;
  readonly to: number;
}

function pairs(state: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of state.split(',').map((p) => p.trim())) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (m) out.set(`${m[1]}-${m[2]}`, Number(m[3]));
  }
  return out;
}

export function errantRanges(oldState: string, writerState: string): GtidRange[] {
  const writer = pairs(writerState);
  const ranges: GtidRange[] = [];
  for (const [pair, seq] of pairs(oldState)) {
    const has = writer.get(pair) ?? 0;
    if (seq > has) {
      const [domain, serverId] = pair.split('-').map(Number);
      ranges.push({ domain: domain ?? 0, serverId: serverId ?? 0, from: has + 1, to: seq });
    }
  }
  return ranges;
}
