/**
 * The inserts of `make seed`: users, then posts by skewed authors, each as batched multi-row
 * INSERTs spread over a few connections (one batch in flight per connection).
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { postBody, prng, seedUsername, skewedIndex, timeline } from './data.ts';

/** Runs `[from, to)` batches of `total` items, one batch at a time per connection. */
async function inBatches(
  conns: readonly Connection[],
  total: number,
  size: number,
  run: (conn: Connection, from: number, to: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    conns.map(async (conn) => {
      while (next < total) {
        const from = next;
        next = Math.min(total, next + size);
        await run(conn, from, next);
      }
    }),
  );
}

/** Inserts `count` seed users (existing ones are kept) and returns their ids. */
export async function loadUsers(
  conns: readonly Connection[],
  count: number,
  batch: number,
  passwordHash: string,
): Promise<number[]> {
  await inBatches(conns, count, batch, async (conn, from, to) => {
    const rows = [];
    for (let i = from; i < to; i++) rows.push([seedUsername(i + 1), passwordHash]);
    await conn.query('INSERT IGNORE INTO users (username, password_hash) VALUES ?', [rows]);
  });
  const [first] = conns;
  if (first === undefined) return [];
  const [ids] = await first.query<RowDataPacket[]>(
    "SELECT id FROM users WHERE username LIKE 'seed\\_%' ORDER BY id LIMIT ?",
    [count],
  );
  return ids.map((r) => Number(r.id));
}

export interface PostPlan {
  readonly count: number;
  readonly batch: number;
  readonly days: number;
  readonly seed: number;
}

/** Inserts posts of ~1 KB over the last `days`, oldest first; returns the bytes of text written. */
export async function loadPosts(
  conns: readonly Connection[],
  authors: readonly number[],
  plan: PostPlan,
): Promise<number> {
  const when = timeline(plan.count, plan.days, new Date());
  let bytes = 0;
  await inBatches(conns, plan.count, plan.batch, async (conn, from, to) => {
    const random = prng(plan.seed + from);
    const rows = [];
    for (let i = from; i < to; i++) {
      const body = postBody(random);
      bytes += body.length;
      rows.push([authors[skewedIndex(random, authors.length)], body, when(i)]);
    }
    await conn.query('INSERT INTO posts (user_id, body, created_at) VALUES ?', [rows]);
  });
  return bytes;
}
