/**
 * FEED=timeline: the precomputed timeline as `app.timeline` (undefined otherwise), on the app's
 * Redis client, with a counter of its writes by result (a failed one leaves that post out of the
 * timeline until `make timeline` rebuilds it; the post itself is committed and acknowledged).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import type { WebConfig } from '../config.ts';
import type { Post } from '../posts/sql.ts';
import { Timeline } from '../timeline/timeline.ts';

declare module 'fastify' {
  interface FastifyInstance {
    timeline: Timeline | undefined;
    /** Fan-out on write: adds a committed post to the timeline; never throws. */
    fanOut(post: Post): Promise<void>;
  }
}

async function timelinePlugin(app: FastifyInstance, { config }: { config: WebConfig }) {
  if (config.flags.feed !== 'timeline') {
    app.decorate('timeline', undefined);
    app.decorate('fanOut', async () => {});
    return;
  }
  if (!app.hasDecorator('redis'))
    throw new Error('FEED=timeline needs the Redis client (REDIS_URL)');
  const timeline = new Timeline(app.redis, config.TIMELINE_LENGTH);
  const writes = new Counter({
    name: 'timeline_writes_total',
    help: 'Posts written into the precomputed timeline (FEED=timeline), by result',
    labelNames: ['result'],
    registers: [app.metrics.registry],
  });
  app.decorate('timeline', timeline);
  app.decorate('fanOut', async (post: Post) => {
    try {
      await timeline.add(post);
      writes.inc({ result: 'ok' });
    } catch (error) {
      writes.inc({ result: 'failed' });
      app.log.warn({ err: error, post: post.id }, 'post left out of the timeline');
    }
  });
}

export default fp(timelinePlugin, { name: 'timeline', dependencies: ['metrics'] });
