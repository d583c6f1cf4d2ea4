/**
 * read-heavy: 100 reads to 1 write over seeded data. Reads: a single post (Zipf-popular ids), the
 * feed, a user's posts (Zipf-popular authors); half of them by logged-in users, half anonymous.
 * Writes: a ~1 KB post by a logged-in user, with an Idempotency-Key.
 */
import { randomUUID } from 'node:crypto';
import type { Outcome } from '../core/engine.ts';
import { exchange, type RequestSpec } from '../core/http.ts';
import { zipf } from '../core/zipf.ts';
import { type LoggedIn, logIn } from './login.ts';
import { okStatus, partOf, type Scenario, type WorkerContext } from './scenario.ts';

export const READS_PER_WRITE = 100;
const LOGGED_IN_SHARE = 0.5;
const BODY = 'load test post '.repeat(64).slice(0, 1000);

export function readHeavy(ctx: WorkerContext): Scenario {
  const { data, random } = ctx;
  const postCount = Math.max(1, data.posts.max - data.posts.min + 1);
  const posts = zipf(postCount, 1, random);
  const authors = zipf(Math.max(1, data.authors.count), 1, random);
  let users: LoggedIn[] = [];

  const read = (): RequestSpec => {
    const r = random();
    if (r < 0.4)
      return { label: 'post', method: 'GET', path: `/api/posts/${data.posts.min + posts.next()}` };
    if (r < 0.7) return { label: 'feed', method: 'GET', path: '/api/feed' };
    return {
      label: 'user-posts',
      method: 'GET',
      path: `/api/users/${data.authors.min + authors.next()}/posts`,
    };
  };
  const write = (): RequestSpec => ({
    label: 'write',
    method: 'POST',
    path: '/api/posts',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ body: BODY }),
  });

  return {
    async prepare() {
      users = await logIn(ctx, partOf(data.users, ctx.worker, ctx.workers).slice(0, 4));
      if (users.length === 0) throw new Error('read-heavy: no user to log in as');
    },
    async send(index): Promise<Outcome> {
      const writing = index % (READS_PER_WRITE + 1) === READS_PER_WRITE;
      const spec = writing ? write() : read();
      const member = users[Math.floor(random() * users.length)];
      const jar = writing || random() < LOGGED_IN_SHARE ? member?.jar : undefined;
      const reply = await exchange(ctx.agent, ctx.origin, spec, jar);
      return { label: spec.label, status: reply.status, ok: okStatus(reply.status) };
    },
    async finish() {
      return { counters: { loggedIn: users.length }, series: {} };
    },
  };
}
