/**
 * Accounts on a sharded stack. The directory (mysql-primary) holds every account: its id (which
 * carries the user's logical shard), its unique username and its password hash; that is what makes
 * usernames unique across shards and lets a login find the user. The user's shard holds a copy of
 * the id and username, which the user's posts and orders reference (and join for the author's name).
 * The copy is written right after sign-up and again, idempotently, at every login, so a sign-up
 * interrupted between the two still gets its row before it can write anything.
 */
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { LOGICAL_SHARDS } from '../../shared/shard/shard-map.ts';
import { checkFence } from './fence.ts';

/** A new user's logical shard: uniform, so 256 logical shards fill evenly. */
export const newUserShard = (): number => randomInt(LOGICAL_SHARDS);

/**
 * Makes sure the user's row exists where their rows reference it: on their shard, behind the
 * shard's write fence like every other write there (sharding/fence.ts); with FEDERATION=on on
 * mysql-media and mysql-posts (or the shard); nowhere else (one primary holds the account itself).
 */
export async function ensureShardUser(
  app: FastifyInstance,
  id: bigint,
  username: string,
): Promise<void> {
  const copy = "INSERT IGNORE INTO users (id, username, password_hash) VALUES (?, ?, '')";
  if (app.federation !== undefined) {
    const { posts, media } = app.federation;
    await Promise.all(
      [posts, media].flatMap((f) =>
        f === undefined ? [] : [f.db.primary.write(copy, [id, username])],
      ),
    );
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
