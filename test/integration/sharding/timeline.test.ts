/**
 * FEED=timeline against real MariaDB and Redis processes: every post is fanned out once into the
 * Redis timeline (a replayed write adds nothing), the feed pages from it with the scatter-gather's
 * cursors (every post once, newest first), the timeline is trimmed to TIMELINE_LENGTH and pages
 * past its end (its floor) come from the shard servers, a timeline Redis lost (emptied, or only
 * partly refilled since) never ends the feed early: what it cannot vouch for comes from the shards
 * until `make timeline` rebuilds it (with the web servers' TIMELINE_LENGTH), and a paused Redis
 * sends the feed back to the shards.
 *
 * Settings changed from the product's defaults, and why: SHARDS=2 and FEED=timeline are what is
 * under test (shards.test.ts covers FEED=scatter, the default); TIMELINE_LENGTH=100 (the smallest
 * allowed; the default 10,000) so trimming happens after 100 posts; CACHE=off so every read reaches
 * the timeline or a database and X-DB names it; no replicas and small pools, because the machine is
 * small (shards.test.ts covers shard replicas).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { shardOfId } from '../../../services/shared/shard/ids.ts';
import { evenShardMap } from '../../../services/shared/shard/shard-map.ts';
import { floorKeyOf, TIMELINE_KEY } from '../../../services/web/timeline/format.ts';
import { type Client, headerOf } from '../../support/http.ts';
import { type OwnStack, startOwnStack } from '../../support/own-stack.ts';
import { serviceOf } from '../../support/stack.ts';

interface Post {
  id: string;
  userId: string;
  body: string;
  createdAt: string;
}
interface Page {
  posts: Post[];
  next: string | null;
}

const FLAGS = {
  STAGE: '4',
  SHARDS: '2',
  FEED: 'timeline',
  TIMELINE_LENGTH: '100',
  CACHE: 'off',
  DB_REPLICAS: '0',
  READ_FROM: 'primary',
  WEB_REPLICAS: '1',
  READ_API_REPLICAS: '1',
  WRITE_API_REPLICAS: '1',
};
const MAP = evenShardMap(2);
const serverOf = (id: string) => `shard-${(MAP[shardOfId(BigInt(id))] ?? -1) + 1}`;

const newestFirst = (posts: readonly Post[]) =>
  [...posts].sort((a, b) => {
    const d = Date.parse(b.createdAt) - Date.parse(a.createdAt);
    if (d !== 0) return d;
    return BigInt(a.id) === BigInt(b.id) ? 0 : BigInt(a.id) > BigInt(b.id) ? -1 : 1;
  });

/** Every page of the feed: the posts in order and each page's X-DB. */
async function readFeed(client: Client, limit: number) {
  const posts: Post[] = [];
  const sources: string[] = [];
  let before: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const reply: Awaited<ReturnType<typeof client.get<Page>>> = await client.get<Page>(
      `/api/feed?limit=${limit}${before ? `&before=${before}` : ''}`,
    );
    assert.equal(reply.status, 200);
    posts.push(...reply.body.posts);
    sources.push(headerOf(reply, 'x-db') ?? '');
    before = reply.body.next;
    if (before === null) break;
  }
  return { posts, sources };
}

function redisOf(stack: OwnStack): Redis {
  const s = serviceOf(stack.info, 'redis');
  return new Redis({ host: s.host, port: s.ports.redis ?? 0, commandTimeout: 5000 });
}

test('FEED=timeline: fan-out on write, paging, trimming, rebuild, Redis paused', async (t) => {
  const stack = await startOwnStack(t, FLAGS);
  const redis = redisOf(stack);
  t.after(() => redis.disconnect());

  const users: { client: Client; id: string }[] = [];
  for (
    let i = 0;
    i < 40 && (users.length < 4 || new Set(users.map((u) => serverOf(u.id))).size < 2);
    i++
  ) {
    const client = stack.client();
    const credentials = { username: `timeline_user_${i}`, password: 'timeline-password' };
    const made = await client.post<{ id: string }>('/api/users', { json: credentials });
    assert.equal(made.status, 201);
    assert.equal((await client.post('/api/sessions', { json: credentials })).status, 200);
    users.push({ client, id: made.body.id });
  }
  assert.equal(new Set(users.map((u) => serverOf(u.id))).size, 2, 'users on both shard servers');

  const written: Post[] = [];
  const write = async (n: number, key?: string) => {
    const user = users[n % users.length];
    assert.ok(user);
    const reply = await user.client.post<Post>('/api/posts', {
      json: { body: `timeline post ${n}` },
      ...(key ? { headers: { 'idempotency-key': key } } : {}),
    });
    assert.equal(reply.status, 201);
    return reply.body;
  };

  await t.test('each post is fanned out once; a replayed write adds nothing', async () => {
    for (let n = 0; n < 30; n++) {
      written.push(await write(n, `timeline-${n}`));
      assert.equal(await redis.zcard(TIMELINE_KEY), n + 1);
    }
    const replay = await write(0, 'timeline-0');
    assert.equal(replay.id, written[0]?.id);
    assert.equal(await redis.zcard(TIMELINE_KEY), 30);
  });

  await t.test('the feed pages from the timeline: every post once, newest first', async () => {
    const { posts, sources } = await readFeed(stack.client(), 7);
    assert.deepEqual(
      posts.map((p) => p.id),
      newestFirst(written).map((p) => p.id),
    );
    // The timeline vouches for posts from its floor (the first post it saw) on; the short last
    // page reaches the floor, so the shards answer it (older posts could exist there).
    assert.deepEqual(sources, ['timeline', 'timeline', 'timeline', 'timeline', 'shard-1,shard-2']);
    assert.deepEqual(posts[0], newestFirst(written)[0], 'the post as the API wrote it');
  });

  await t.test('trimmed to TIMELINE_LENGTH; older pages come from the shards', async () => {
    for (let n = 30; n < 110; n++) written.push(await write(n));
    assert.equal(await redis.zcard(TIMELINE_KEY), 100);
    const { posts, sources } = await readFeed(stack.client(), 15);
    assert.deepEqual(
      posts.map((p) => p.id),
      newestFirst(written).map((p) => p.id),
      'every post once, across the trimmed end',
    );
    assert.equal(sources[0], 'timeline');
    assert.equal(sources[sources.length - 1], 'shard-1,shard-2');
  });

  await t.test(
    'Redis lost the timeline: the feed stays whole; make timeline rebuilds',
    async () => {
      // As a Redis restart or flush leaves it: no timeline and no floor.
      await redis.del(TIMELINE_KEY, floorKeyOf(TIMELINE_KEY));
      const lost = await readFeed(stack.client(), 25);
      assert.deepEqual(
        lost.posts.map((p) => p.id),
        newestFirst(written).map((p) => p.id),
        'every post, from the shards, not an empty feed',
      );
      assert.deepEqual([...new Set(lost.sources)], ['shard-1,shard-2']);

      // Partly refilled: three posts since. The timeline serves what it holds from its new floor;
      // the page reaching the floor goes to the shards, so the feed does not end after three posts.
      for (let n = 110; n < 113; n++) written.push(await write(n));
      assert.equal(await redis.zcard(TIMELINE_KEY), 3);
      const refilled = await readFeed(stack.client(), 2);
      assert.deepEqual(
        refilled.posts.map((p) => p.id),
        newestFirst(written).map((p) => p.id),
        'every post once, in order, across the floor',
      );
      assert.equal(refilled.sources[0], 'timeline');
      assert.equal(refilled.sources[1], 'shard-1,shard-2');

      // make timeline with no TIMELINE_LENGTH given: it uses the web servers' (100 here).
      const { TIMELINE_LENGTH: _, ...env } = process.env;
      const run = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/timeline.ts'],
        { env: { ...env, STACK_FILE: stack.stackFile } },
      );
      assert.match(
        run.stdout,
        /timeline rebuilt from mysql-shard-1, mysql-shard-2: 100 posts in \d+ ms \(TIMELINE_LENGTH 100\)/,
      );
      assert.equal(await redis.zcard(TIMELINE_KEY), 100);
      const { posts, sources } = await readFeed(stack.client(), 25);
      assert.deepEqual(
        posts.map((p) => p.id),
        newestFirst(written).map((p) => p.id),
      );
      assert.deepEqual(sources.slice(0, 4), ['timeline', 'timeline', 'timeline', 'timeline']);
    },
  );

  await t.test('a paused Redis: the feed is answered by the shard servers', async () => {
    const paused = serviceOf(stack.info, 'redis');
    process.kill(paused.pid ?? 0, 'SIGSTOP');
    try {
      const reply = await stack.client().get<Page>('/api/feed?limit=10');
      assert.equal(reply.status, 200);
      assert.equal(headerOf(reply, 'x-db'), 'shard-1,shard-2');
      assert.deepEqual(
        reply.body.posts.map((p) => p.id),
        newestFirst(written)
          .slice(0, 10)
          .map((p) => p.id),
      );
    } finally {
      process.kill(paused.pid ?? 0, 'SIGCONT');
    }
  });
});
