/**
 * What `make reshard` moves, checked before anything is touched (pure): the logical shards (a list
 * of numbers and ranges, `0-15,40`), the server they are on now (all on one: a move has one
 * source), and the target server (`mysql-shard-2`, `shard-2` or `2`: 1-based, as the stack names
 * them). Errors say what is wrong in the caller's terms.
 */
import { LOGICAL_SHARDS, type ShardMap } from './shard-map.ts';

export interface ReshardPlan {
  /** Sorted, distinct. */
  readonly shards: readonly number[];
  /** 0-based server indexes, as in the shard map. */
  readonly source: number;
  readonly target: number;
}

export type Planned = { readonly plan: ReshardPlan } | { readonly error: string };

/** `0-15,40` → [0..15, 40]; a string error when malformed or out of range. */
export function parseShardList(text: string): number[] | string {
  const shards = new Set<number>();
  if (text.trim() === '') return 'no logical shards given (e.g. MOVE=0-15,40)';
  for (const part of text.split(',')) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part.trim());
    if (m === null) return `"${part.trim()}" is not a logical shard or a range like 0-15`;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return `the range ${part.trim()} runs backwards`;
    if (to >= LOGICAL_SHARDS)
      return `unknown logical shard ${to}: there are ${LOGICAL_SHARDS} (0-${LOGICAL_SHARDS - 1})`;
    for (let l = from; l <= to; l++) shards.add(l);
  }
  return [...shards].sort((a, b) => a - b);
}

/** `mysql-shard-2`, `shard-2` or `2` → 1 (0-based); a string error otherwise. */
export function parseServer(text: string, servers: number): number | string {
  const m = /^(?:(?:mysql-)?shard-)?(\d{1,2})$/.exec(text.trim());
  const n = m === null ? Number.NaN : Number(m[1]);
  if (!Number.isInteger(n) || n < 1 || n > servers)
    return `unknown shard server "${text}": the stack has mysql-shard-1..${servers}`;
  return n - 1;
}

/** Logical shard numbers as compact ranges: [0,1,2,5] → `0-2,5`. */
export function formatShardList(shards: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < shards.length; ) {
    let j = i;
    while (j + 1 < shards.length && shards[j + 1] === (shards[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${shards[i]}` : `${shards[i]}-${shards[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** `logical shard 4` or `logical shards 0-3,8` (messages). */
export const shardsPhrase = (shards: readonly number[]): string =>
  `logical shard${shards.length === 1 ? '' : 's'} ${formatShardList(shards)}`;

export function planReshard(move: string, to: string, map: ShardMap, servers: number): Planned {
  const shards = parseShardList(move);
  if (typeof shards === 'string') return { error: shards };
  const target = parseServer(to, servers);
  if (typeof target === 'string') return { error: target };
  const sources = [...new Set(shards.map((l) => map[l] ?? -1))].sort((a, b) => a - b);
  if (sources.length > 1)
    return {
      error: `${shardsPhrase(shards)} are on ${sources.map((s) => `mysql-shard-${s + 1}`).join(' and ')}: move the shards of one server at a time`,
    };
  const source = sources[0] ?? -1;
  if (source === target)
    return {
      error: `${shardsPhrase(shards)} ${shards.length === 1 ? 'is' : 'are'} already on mysql-shard-${target + 1} (the target is ${shards.length === 1 ? 'its' : 'their'} source)`,
    };
  return { plan: { shards, source, target } };
}

/** The map after the move. */
export const movedMap = (map: ShardMap, plan: ReshardPlan): number[] =>
  map.map((server, l) => (plan.shards.includes(l) ? plan.target : server));
