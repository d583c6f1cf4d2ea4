/**
 * Accounts on a sharded stack. The directory (mysql-primary) holds every account: its id (which
 * carries the user's logical shard), its unique username and its password hash; that is what makes
 * usernames unique across shards and lets a login find the user. The user's shard holds a copy of
 * the id and username, which the user's posts and orders reference (and join for the author's name).
 * The copy is written right after sign-up and again, idempotently, at every login, so a sign-up
 * interrupted between the two still gets its row before it can write anything.
 * FEDERATION=on: the copies on mysql-posts and mysql-media are best effort at sign-up and login (a
 * login must not depend on the function databases: one down would lock every user out); each
 * function's own write copies the row again in its transaction (copyUserIn) before its insert, so
 * a user whose copy was missed can still post and upload. These databases replicate only to their
 * own replicas, so the INSERT IGNORE of the same (id, username) never clashes with a replicated row.
 */
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Session } from '../../shared/db/target.ts';
import { LOGICAL_SHARDS } from '../../shared/shard/shard-map.ts';
import { checkFence } from './fence.ts';

/** A new user's logical shard: uniform, so 256 logical shards fill evenly. */
export const newUserShard = (): number => randomInt(LOGICAL_SHARDS);

const COPY = "INSERT IGNORE INTO users (id, username, password_hash) VALUES (?, ?, '')";

/** The user's row, copied in a function database's own write transaction (FEDERATION=on). */
export async function copyUserIn(tx: Session, id: bigint, username: string): Promise<void> {
  await tx.write(COPY, [id, username]);
}

/**
 * Makes sure the user's row exists where their rows reference it: on their shard, behind the
 * shard's write fence like every other write there (sharding/fence.ts); with FEDERATION=on on
 * mysql-media and mysql-posts, best effort (`failed` hears each failure; the function's write
 * copies it again); nowhere else (one primary holds the account itself).
 */
export async function ensureShardUser(
  app: FastifyInstance,
  id: bigint,
  username: string,
  failed: (server: string, error: unknown) => void,
): Promise<void> {
  const copy = COPY;
  if (app.federation !== undefined) {
    const { posts, media } = app.federation;
    const targets = [posts, media].flatMap((f) => (f === undefined ? [] : [f]));
    const settled = await Promise.allSettled(
      targets.map((f) => f.db.primary.write(copy, [id, username])),
    );
    settled.forEach((outcome, i) => {
      if (outcome.status === 'rejected') failed(targets[i]?.name ?? '?', outcome.reason);
    });
  }
  if (app.shards === undefined) return;
  await app.writeAt(
    id,
    (owner) =>
      owner.db.primary.transaction(async (tx) => {
        if (owner.logical !== undefined) await checkFence(tx, owner.logical, owner.label);
        await tx.write(copy, [id, username]);
      }),
    'posts',
  );
}
