/**
 * A promotion (`make promote`, the db-monitor): which server becomes the writer. Pure. The most advanced reachable replica by
 * GTID (the one that lost the least of the old primary's history), never the current writer or a
 * fenced server; ties go to the lowest server id so the choice is repeatable.
 */
import { gtidAhead, type TopologyRecord } from '../topology-record.ts';

export interface ServerState {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly serverId: number;
  /** Undefined when it did not answer. */
  readonly up?: {
    readonly readOnly: boolean;
    /** @@gtid_current_pos: everything it has applied, replicated or its own. */
    readonly gtid: string;
    /**
     * What its replication IO thread has received into the relay log (Gtid_IO_Pos), applied or
     * not; empty when it does not replicate. With semi-sync a commit is acknowledged once a replica
     * has received it, so this, not `gtid`, decides who lost the least.
     */
    readonly received: string;
    readonly record: TopologyRecord | undefined;
  };
}

export interface Promotion {
  readonly record: TopologyRecord;
  readonly oldWriter: ServerState | undefined;
  readonly candidate: ServerState;
  /** Replicas to point at the candidate. */
  readonly followers: readonly ServerState[];
  readonly next: TopologyRecord;
}

/** The further of two GTID positions of one server (received vs applied). */
export function mostOf(applied: string, received: string): string {
  return gtidAhead(received, applied) > 0 ? received : applied;
}

export function planPromotion(servers: readonly ServerState[]): Promotion {
  let record: TopologyRecord | undefined;
  for (const s of servers)
    if (s.up?.record && (record === undefined || s.up.record.epoch > record.epoch))
      record = s.up.record;
  const current = record ?? {
    epoch: 0,
    writerId: servers.find((s) => s.name === 'mysql-primary')?.serverId ?? 1,
    fencedIds: [],
  };
  const oldWriter = servers.find((s) => s.serverId === current.writerId);
  const eligible = servers.filter(
    (s) => s.up !== undefined && s !== oldWriter && !current.fencedIds.includes(s.serverId),
  );
  const ranked = [...eligible].sort((a, b) => {
    const ga = mostOf(a.up?.gtid ?? '', a.up?.received ?? '');
    const gb = mostOf(b.up?.gtid ?? '', b.up?.received ?? '');
    const order = gtidAhead(gb, ga) - gtidAhead(ga, gb);
    return order !== 0 ? order : a.serverId - b.serverId;
  });
  const candidate = ranked[0];
  if (candidate === undefined)
    throw new Error(
      'no replica answers that could be promoted (every other server is down or fenced)',
    );
  const fenced = [...new Set([...current.fencedIds, current.writerId])].filter(
    (id) => id !== candidate.serverId,
  );
  return {
    record: current,
    oldWriter,
    candidate,
    followers: ranked.slice(1),
    next: { epoch: current.epoch + 1, writerId: candidate.serverId, fencedIds: fenced },
  };
}
