/**
 * The k-way merge behind the cross-shard feed: each shard answers its own newest-first page (by
 * created_at, then id, the feed's keyset order), and the merge keeps the newest `limit` of them
 * all. Each shard's page holds at most `limit` rows after the cursor, so the merged page is exactly
 * the page one database holding every shard would have returned. Pure.
 */

export interface Keyed {
  /** Milliseconds since the epoch. */
  readonly ms: number;
  readonly id: bigint;
}

/** Negative when `a` comes first (is newer), positive when `b` does. */
export function newestFirst(a: Keyed, b: Keyed): number {
  if (a.ms !== b.ms) return b.ms - a.ms;
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}

/**
 * Merges lists that are each sorted newest first into the first `limit` items overall. With k
 * lists this looks at k heads per item taken (k is the number of shards, at most 8), so a page
 * costs O(k · limit) comparisons and never sorts the whole input.
 */
export function mergeNewest<T>(
  lists: readonly (readonly T[])[],
  limit: number,
  key: (item: T) => Keyed,
): T[] {
  const heads = lists.map(() => 0);
  const out: T[] = [];
  while (out.length < limit) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const item = lists[i]?.[heads[i] ?? 0];
      if (item === undefined) continue;
      const current = best < 0 ? undefined : lists[best]?.[heads[best] ?? 0];
      if (current === undefined || newestFirst(key(item), key(current)) < 0) best = i;
    }
    if (best < 0) break;
    const taken = lists[best]?.[heads[best] ?? 0];
    if (taken === undefined) break;
    out.push(taken);
    heads[best] = (heads[best] ?? 0) + 1;
  }
  return out;
}
