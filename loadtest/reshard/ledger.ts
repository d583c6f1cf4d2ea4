/**
 * A load's post ledger against a sharded stack: every post and idempotency key is looked up on
 * every shard server (a moved logical shard must be on exactly one), then judged by
 * ledger/verdict.ts: no acknowledged post lost, none stored twice, each with the id it was given.
 */
import { connectDb, type StackFile } from '../drills/stack.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { rowsIn } from '../ledger/rows-in.ts';
import { judgeLedger, type LedgerVerdict } from '../ledger/verdict.ts';

export async function checkShardedPosts(stack: StackFile, ledger: Ledger): Promise<LedgerVerdict> {
  const entries = ledger.entries.filter((e) => e.kind === 'post');
  const posts = new Map<string, string[]>();
  const keys = new Map<string, number>();
  for (const server of stack.shards?.servers ?? []) {
    const db = await connectDb(stack, server);
    try {
      const found = await rowsIn(
        db,
        'SELECT CAST(id AS CHAR) AS id, body FROM posts WHERE body IN (?)',
        entries.map((e) => e.body ?? ''),
      );
      for (const r of found)
        posts.set(String(r.body), [...(posts.get(String(r.body)) ?? []), String(r.id)]);
      const claimed = await rowsIn(
        db,
        'SELECT idem_key FROM idempotency_keys WHERE idem_key IN (?)',
        entries.map((e) => e.key),
      );
      for (const r of claimed)
        keys.set(String(r.idem_key), (keys.get(String(r.idem_key)) ?? 0) + 1);
    } finally {
      await db.end();
    }
  }
  return judgeLedger(entries, {
    posts,
    keys,
    media: new Map(),
    unreadable: new Map(),
    queued: false,
  });
}
