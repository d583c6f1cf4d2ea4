/**
 * The db-monitor's decision for one round (DB_FAILOVER=auto), from what every MariaDB server said
 * of itself. Pure.
 *
 * - The writer is the one the newest topology record (highest epoch any server holds) names.
 * - A writer that answers resets the clock. One that does not answer starts it; once it has not
 *   answered for `afterMs` and a replica that may be promoted answers, the decision is to promote
 *   (MaxScale's auto_failover after its failcount, orchestrator's dead-master recovery).
 * - Fencing, every round: a server that answers, is writable and is not the record's writer
 *   (an old primary that came back, writable by its config) is made read-only, so there are never
 *   two writable primaries, even for clients that have not seen the newest record yet.
 */
import type { ServerState } from '../shared/db/promotion/plan.ts';
import { newestRecord, type TopologyRecord } from '../shared/db/topology-record.ts';

export interface MonitorState {
  /** When the writer stopped answering (ms), undefined while it answers. */
  readonly writerDownSince: number | undefined;
}

export type Decision =
  | { readonly kind: 'healthy'; readonly writer: string }
  | { readonly kind: 'waiting'; readonly writer: string; readonly downForMs: number }
  | { readonly kind: 'promote'; readonly writer: string; readonly downForMs: number }
  | { readonly kind: 'stuck'; readonly reason: string };

export interface Round {
  readonly decision: Decision;
  readonly state: MonitorState;
  /** Servers to make read-only now. */
  readonly fence: readonly ServerState[];
  readonly record: TopologyRecord | undefined;
}

export function decide(
  servers: readonly ServerState[],
  state: MonitorState,
  now: number,
  afterMs: number,
): Round {
  const record = newestRecord(servers.map((s) => s.up && { serverId: s.serverId, ...s.up }));
  if (record === undefined)
    return {
      decision: { kind: 'stuck', reason: 'no server answers with a topology record' },
      state,
      fence: [],
      record,
    };
  const writer = servers.find((s) => s.serverId === record.writerId);
  const writerName = writer?.name ?? `server ${record.writerId}`;
  const fence = servers.filter(
    (s) => s.up !== undefined && !s.up.readOnly && s.serverId !== record.writerId,
  );
  if (writer?.up !== undefined)
    return {
      decision: { kind: 'healthy', writer: writerName },
      state: { writerDownSince: undefined },
      fence,
      record,
    };
  const since = state.writerDownSince ?? now;
  const downForMs = now - since;
  const next = { writerDownSince: since };
  const promotable = servers.some(
    (s) =>
      s.up !== undefined &&
      s.serverId !== record.writerId &&
      !record.fencedIds.includes(s.serverId),
  );
  if (downForMs < afterMs)
    return {
      decision: { kind: 'waiting', writer: writerName, downForMs },
      state: next,
      fence,
      record,
    };
  if (!promotable)
    return {
      decision: {
        kind: 'stuck',
        reason: `${writerName} is down and no replica that may be promoted answers`,
      },
      state: next,
      fence,
      record,
    };
  return {
    decision: { kind: 'promote', writer: writerName, downForMs },
    state: next,
    fence,
    record,
  };
}
