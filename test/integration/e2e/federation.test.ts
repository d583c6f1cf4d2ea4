/**
 * FEDERATION=on against real MariaDB processes, in both supported shapes:
 *   - SHARDS=1: accounts and orders on mysql-primary, posts on mysql-posts, the uploads' rows on
 *     mysql-media, each with a replica;
 *   - SHARDS=2: the posts sharded over the shard servers, accounts and orders on mysql-primary
 *     (no longer on the shards), media on mysql-media.
 * The app works end to end (sign up, log in, post, order, upload, read them back, the feed, the
 * worker's thumbnails); each function's rows are on its own database only (the others have none
 * of them; users are copied where rows reference them); X-DB names the database that answered.
 * With mysql-media stopped, sign-up, login and reads still work (logins do not depend on the
 * function databases), and a user whose copy on mysql-posts or mysql-media is missing can still
 * post and upload (the write copies the row in its own transaction).
 *
 * Settings changed from the product's defaults, and why: FEDERATION=on is what is under test
 * (off is every other test); THUMBNAILS=queue so the worker, whose database is mysql-media, makes
 * the upload's thumbnails; CACHE=off so reads reach a database and X-DB names it; one server per
 * web pool and DB_REPLICAS=1, because the machine is small.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FormData } from 'undici';
import { startService, stopService } from '../../../runner/stack/control.ts';
import { headerOf } from '../../support/http.ts';
import { image } from '../../support/images.ts';
import { type OwnStack, startOwnStack, until } from '../../support/own-stack.ts';
import { connectMysql, query } from '../../support/stack.ts';

const FLAGS = {
  STAGE: '4',
  FEDERATION: 'on',
  CACHE: 'off',
  WEB_REPLICAS: '1',
  READ_API_REPLICAS: '1',
  WRITE_API_REPLICAS: '1',
  DB_REPLICAS: '1',
  THUMBNAILS: 'queue',
};

interface Counts {
  account: number;
  copy: number;
  posts: number;
  orders: number;
  media: number;
}

async function countsOn(stack: OwnStack, instance: string, userId: string, username: string) {
  const db = await connectMysql(stack.info, {
    instance,
    as: 'app',
    database: stack.info.mysql.database,
  });
  try {
    const n = async (sql: string, values: (string | number)[]) =>
      Number((await query(db, sql, values))[0]?.n);
    const counts: Counts = {
      account: await n(
        "SELECT COUNT(*) AS n FROM users WHERE id = ? AND username = ? AND password_hash <> ''",
        [userId, username],
      ),
      copy: await n('SELECT COUNT(*) AS n FROM users WHERE id = ?', [userId]),
      posts: await n('SELECT COUNT(*) AS n FROM posts WHERE user_id = ?', [userId]),
      orders: await n('SELECT COUNT(*) AS n FROM orders WHERE user_id = ?', [userId]),
      media: await n('SELECT COUNT(*) AS n FROM media WHERE user_id = ?', [userId]),
    };
    return counts;
  } finally {
    await db.end();
  }
}

for (const shards of ['1', '2'] as const) {
  test(`FEDERATION=on, SHARDS=${shards}: each function on its own database, end to end`, async (t) => {
    const stack = await startOwnStack(t, { ...FLAGS, SHARDS: shards });
    const sharded = shards !== '1';
    assert.deepEqual(stack.info.federation, {
      accounts: 'mysql-primary',
      posts: sharded ? 'shards' : 'mysql-posts',
      media: 'mysql-media',
      replicas: {
        ...(sharded ? {} : { 'mysql-posts': ['mysql-posts-replica-1'] }),
        'mysql-media': ['mysql-media-replica-1'],
      },
    });
    const client = stack.client();
    const credentials = { username: 'federated_user', password: 'federated-password' };
    const made = await client.post<{ id: number | string }>('/api/users', { json: credentials });
    assert.equal(made.status, 201);
    assert.equal((await client.post('/api/sessions', { json: credentials })).status, 200);
    const userId = String(made.body.id);
    // Where the posts are: mysql-posts, or the user's shard server (X-DB shard-N;logical=L).
    const postsAt = sharded ? /^shard-\d;logical=\d+$/ : /^posts$/;
    const postsReadAt = sharded ? /^shard-\d(\/replica-1)?;logical=\d+$/ : /^posts(\/replica-1)?$/;

    const post = await client.post<{ id: number | string; body: string }>('/api/posts', {
      json: { body: 'a federated post' },
      headers: { 'idempotency-key': 'federated-post-1' },
    });
    assert.equal(post.status, 201);
    assert.match(headerOf(post, 'x-db') ?? '', postsAt);
    const read = await client.get<{ body: string }>(`/api/posts/${post.body.id}`);
    assert.equal(read.body.body, 'a federated post');
    assert.match(headerOf(read, 'x-db') ?? '', postsReadAt);
    const mine = await client.get<{ posts: { id: number | string }[] }>(
      `/api/users/${userId}/posts`,
    );
    assert.equal(mine.status, 200);
    assert.deepEqual(
      mine.body.posts.map((p) => p.id),
      [post.body.id],
    );
    const feed = await client.get<{ posts: { id: number | string }[] }>('/api/feed?limit=5');
    assert.ok(feed.body.posts.some((p) => p.id === post.body.id));
    assert.doesNotMatch(headerOf(feed, 'x-db') ?? '', /primary|media/);

    assert.equal(
      (await client.post('/api/cart/items', { json: { sku: 'BOOK-003', qty: 1 } })).status,
      200,
    );
    const order = await client.post<{ id: number }>('/api/orders');
    assert.equal(order.status, 201);
    assert.equal(headerOf(order, 'x-db'), 'primary');

    const form = new FormData();
    form.append('file', new Blob([await image('png', 64, 64)], { type: 'image/png' }), 'a.png');
    const upload = await client.post<{ id: number }>('/api/media', { form });
    assert.equal(upload.status, 202, JSON.stringify(upload.body));
    assert.equal(headerOf(upload, 'x-db'), 'media');
    const media = await client.get<{ id: number }>(`/api/media/${upload.body.id}`);
    assert.equal(media.status, 200);
    assert.match(headerOf(media, 'x-db') ?? '', /^media(\/replica-1)?$/);

    // The worker found the upload's row on mysql-media and finished it there.
    const mediaDb = await connectMysql(stack.info, {
      instance: 'mysql-media',
      as: 'app',
      database: stack.info.mysql.database,
    });
    try {
      await until(
        async () =>
          (
            await query(mediaDb, 'SELECT thumbnail_status AS s FROM media WHERE id = ?', [
              upload.body.id,
            ])
          )[0]?.s === 'ready',
        60_000,
        'the worker marks the upload ready on mysql-media',
      );
    } finally {
      await mediaDb.end();
    }

    const none = { account: 0, copy: 0, posts: 0, orders: 0, media: 0 };
    const on = (instance: string) => countsOn(stack, instance, userId, credentials.username);
    assert.deepEqual(await on('mysql-primary'), { ...none, account: 1, copy: 1, orders: 1 });
    assert.deepEqual(await on('mysql-media'), { ...none, copy: 1, media: 1 });
    if (!sharded) {
      assert.deepEqual(await on('mysql-posts'), { ...none, copy: 1, posts: 1 });
      return;
    }
    // The user's shard has the user's copy and the post, never the order; the other shard nothing.
    const home = `mysql-${(headerOf(post, 'x-db') ?? '').split(';')[0]}`;
    const other = home === 'mysql-shard-1' ? 'mysql-shard-2' : 'mysql-shard-1';
    assert.deepEqual(await on(home), { ...none, copy: 1, posts: 1 });
    assert.deepEqual(await on(other), none);
  });
}

test('FEDERATION=on: mysql-media down does not stop logins; a missing user copy does not stop writes', async (t) => {
  const stack = await startOwnStack(t, { ...FLAGS, SHARDS: '1' });
  const first = stack.client();
  const firstCredentials = { username: 'federated_before', password: 'federated-password' };
  assert.equal((await first.post('/api/users', { json: firstCredentials })).status, 201);
  assert.equal((await first.post('/api/sessions', { json: firstCredentials })).status, 200);
  const before = await first.post<{ id: string }>('/api/posts', { json: { body: 'before' } });
  assert.equal(before.status, 201);

  await stopService(stack.stackFile, 'mysql-media');
  let restarted = false;
  t.after(async () => {
    if (!restarted) await startService(stack.stackFile, 'mysql-media');
  });
  const client = stack.client();
  const credentials = { username: 'federated_during', password: 'federated-password' };
  const made = await client.post<{ id: number | string }>('/api/users', { json: credentials });
  assert.equal(made.status, 201, 'sign-up with mysql-media down');
  const userId = String(made.body.id);
  const login = await client.post('/api/sessions', { json: credentials });
  assert.equal(login.status, 200, `login with mysql-media down: ${JSON.stringify(login.body)}`);
  assert.equal((await client.get('/api/me')).status, 200);
  const read = await client.get<{ body: string }>(`/api/posts/${before.body.id}`);
  assert.equal(read.status, 200);
  assert.equal(read.body.body, 'before');
  const feed = await client.get<{ posts: { id: string }[] }>('/api/feed?limit=5');
  assert.equal(feed.status, 200);
  assert.ok(feed.body.posts.some((p) => p.id === before.body.id));
  assert.equal((await first.post('/api/sessions', { json: firstCredentials })).status, 200);

  // The login could not copy the user to mysql-media: the upload copies it in its transaction.
  await startService(stack.stackFile, 'mysql-media');
  restarted = true;
  const none = { account: 0, copy: 0, posts: 0, orders: 0, media: 0 };
  assert.deepEqual(await countsOn(stack, 'mysql-media', userId, credentials.username), none);
  let upload: Awaited<ReturnType<typeof client.post<{ id: number }>>> | undefined;
  await until(
    async () => {
      const form = new FormData();
      form.append('file', new Blob([await image('png', 64, 64)], { type: 'image/png' }), 'a.png');
      upload = await client.post<{ id: number }>('/api/media', {
        form,
        headers: { 'idempotency-key': 'federated-upload-after-restart' },
      });
      // 503 while the web servers find mysql-media again; anything else is the answer.
      return upload.status !== 503;
    },
    60_000,
    'an upload once mysql-media is back',
  );
  assert.equal(upload?.status, 202, JSON.stringify(upload?.body));
  assert.equal(headerOf(upload ?? { headers: {} }, 'x-db'), 'media');
  assert.deepEqual(await countsOn(stack, 'mysql-media', userId, credentials.username), {
    ...none,
    copy: 1,
    media: 1,
  });

  // A copy missing on mysql-posts (as a failed login copy leaves it): the post copies it.
  const postsDb = await connectMysql(stack.info, {
    instance: 'mysql-posts',
    as: 'app',
    database: stack.info.mysql.database,
  });
  try {
    await query(postsDb, 'DELETE FROM users WHERE id = ?', [userId]);
  } finally {
    await postsDb.end();
  }
  const post = await client.post<{ id: string }>('/api/posts', { json: { body: 'after' } });
  assert.equal(post.status, 201, JSON.stringify(post.body));
  assert.equal(headerOf(post, 'x-db'), 'posts');
  assert.deepEqual(await countsOn(stack, 'mysql-posts', userId, credentials.username), {
    ...none,
    copy: 1,
    posts: 1,
  });
});
