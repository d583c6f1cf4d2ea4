/**
 * Which stacks `make bench-shards` starts, pure: one per shard count (BENCH_SHARDS, 1 being the
 * unsharded anchor), each ramped with writes; the FEED_SHARDS one also reads the feed; then the
 * same shard count with FEED=timeline, ramped (the fan-out's write cost) and read.
 */
import type { ShardBenchConfig } from './config.ts';
import type { ShardRun } from './run.ts';

export function planRuns(c: ShardBenchConfig): ShardRun[] {
  const runs: ShardRun[] = [...new Set(c.BENCH_SHARDS)]
    .sort((a, b) => a - b)
    .map((shards) => ({
      shards,
      feed: 'scatter' as const,
      measureWrites: true,
      measureFeed: shards === c.FEED_SHARDS,
    }));
  if (!runs.some((r) => r.shards === c.FEED_SHARDS))
    runs.push({ shards: c.FEED_SHARDS, feed: 'scatter', measureWrites: true, measureFeed: true });
  runs.push({ shards: c.FEED_SHARDS, feed: 'timeline', measureWrites: true, measureFeed: true });
  return runs;
}
