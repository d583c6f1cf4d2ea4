/**
 * One kind of read only, anonymous: `post-reads` (a single post by Zipf-popular id) and
 * `feed-reads` (the feed). `make bench` measures the cache's effect on each with them.
 */
import type { Outcome } from '../core/engine.ts';
import { exchange } from '../core/http.ts';
import { zipf } from '../core/zipf.ts';
import { okStatus, type Scenario, type WorkerContext } from './scenario.ts';

function singleRead(ctx: WorkerContext, label: string, path: () => string): Scenario {
  return {
    async prepare() {},
    async send(): Promise<Outcome> {
      const reply = await exchange(ctx.agent, ctx.origin, { label, method: 'GET', path: path() });
      return { label, status: reply.status, ok: okStatus(reply.status) };
    },
    async finish() {
      return { counters: {}, series: {} };
    },
  };
}

export function postReads(ctx: WorkerContext): Scenario {
  const { posts } = ctx.data;
  const ids = zipf(Math.max(1, posts.max - posts.min + 1), 1, ctx.random);
  return singleRead(ctx, 'post', () => `/api/posts/${posts.min + ids.next()}`);
}

export function feedReads(ctx: WorkerContext): Scenario {
  return singleRead(ctx, 'feed', () => '/api/feed');
}
