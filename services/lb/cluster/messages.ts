/** Messages between the primary (control plane, admin) and the workers (proxying), over cluster IPC. */
import type { StatsSnapshot } from '../admin/stats.ts';
import type { LbConfig } from '../config/types.ts';
import type { Registry } from '../pools/registry.ts';

export interface MemberState {
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  readonly up: boolean;
  readonly reachable: boolean;
}

export interface MembersMessage {
  readonly type: 'members';
  readonly pools: readonly { readonly name: string; readonly members: readonly MemberState[] }[];
}

export type ToWorker =
  | { readonly type: 'config'; readonly config: LbConfig }
  | MembersMessage
  | { readonly type: 'stats-request'; readonly id: number }
  | { readonly type: 'drain' };

export type ToPrimary =
  | { readonly type: 'ready' }
  | { readonly type: 'listening'; readonly http: number; readonly https: number | null }
  /** The worker could not start (or failed later) and is exiting 1. */
  | { readonly type: 'failed'; readonly message: string }
  | {
      readonly type: 'eject';
      readonly key: string;
      readonly reason: string;
      readonly reachable: boolean;
    }
  | { readonly type: 'stats'; readonly id: number; readonly snapshot: StatsSnapshot };

export function membersOf(registry: Registry): MembersMessage {
  return {
    type: 'members',
    pools: registry.pools.map((p) => ({
      name: p.name,
      members: p.backends.map((b) => ({
        host: b.host,
        port: b.port,
        weight: b.weight,
        up: b.up,
        reachable: b.reachable,
      })),
    })),
  };
}

/** Applies the primary's view in a worker: same backends, same health. */
export function applyMembers(registry: Registry, message: MembersMessage): void {
  for (const pool of message.pools) {
    registry.syncMembers(pool.name, pool.members);
    const live = registry.pool(pool.name)?.backends ?? [];
    pool.members.forEach((m, i) => {
      const b = live[i];
      if (b !== undefined && b.host === m.host && b.port === m.port)
        registry.applyState(b, m.up, m.reachable);
    });
  }
}
