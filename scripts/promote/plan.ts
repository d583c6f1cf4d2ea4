/**
 * `make promote`: which server becomes the writer. Pure. The most advanced reachable replica by
 * GTID (the one that lost the least of the old primary's history), never the current writer or a
 * fenced server; ties go to the lowest server id so the choice is repeatable.
 */
import { gtidAhead, type TopologyRecord } from '../../services/shared/db/topology-record.ts';

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
    const ga = a.up?.gtid ?? '';
    const gb = b.up?.gtid ?? '';
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
