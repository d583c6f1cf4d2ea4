/**
 * uploads: images at the offered rate by logged-in users. Upload latency is the request's; the time
 * until the thumbnail is ready is measured by polling GET /api/media/:id (every 100 ms, at most
 * 30 s) outside the paced schedule: inline thumbnails are ready when the upload answers 201.
 */
import sharp from 'sharp';
import type { Outcome } from '../core/engine.ts';
import { exchange, json } from '../core/http.ts';
import { type LoggedIn, logIn } from './login.ts';
import { multipartFile } from './multipart.ts';
import { okStatus, partOf, type Scenario, type WorkerContext } from './scenario.ts';

const POLL_MS = 100;
const POLL_LIMIT_MS = 30_000;

/** A small PNG with some texture (so encoding it is real work), different per worker. */
export async function testImage(seed: number, size = 256): Promise<Buffer> {
  const pixels = Buffer.alloc(size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31 + seed * 97 + (i >> 8)) & 0xff;
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

export function uploads(ctx: WorkerContext): Scenario {
  let users: LoggedIn[] = [];
  let image: Buffer = Buffer.alloc(0);
  const ready: number[] = [];
  const counters = { uploaded: 0, thumbnailsReady: 0, thumbnailsFailed: 0, thumbnailsLate: 0 };
  const polls = new Set<Promise<void>>();

  const poll = (id: number, startedMs: number, user: LoggedIn) => {
    const run = (async () => {
      while (performance.now() - startedMs < POLL_LIMIT_MS) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        const reply = await exchange(
          ctx.agent,
          ctx.origin,
          { label: 'media', method: 'GET', path: `/api/media/${id}` },
          user.jar,
        ).catch(() => undefined);
        const state = (json(reply?.body ?? Buffer.alloc(0)) as { thumbnail?: string } | undefined)
          ?.thumbnail;
        if (state === 'ready') {
          counters.thumbnailsReady += 1;
          ready.push(performance.now() - startedMs);
          return;
        }
        if (state === 'failed') {
          counters.thumbnailsFailed += 1;
          return;
        }
      }
      counters.thumbnailsLate += 1;
    })();
    polls.add(run);
    void run.finally(() => polls.delete(run));
  };

  return {
    async prepare() {
      users = await logIn(ctx, partOf(ctx.data.users, ctx.worker, ctx.workers).slice(0, 4));
      image = await testImage(ctx.worker);
    },
    async send(): Promise<Outcome> {
      const user = users[Math.floor(ctx.random() * users.length)] as LoggedIn;
      const { body, contentType } = multipartFile('file', 'load.png', 'image/png', image);
      const started = performance.now();
      const reply = await exchange(
        ctx.agent,
        ctx.origin,
        {
          label: 'upload',
          method: 'POST',
          path: '/api/media',
          headers: { 'content-type': contentType },
          body,
        },
        user.jar,
      );
      if (okStatus(reply.status)) {
        counters.uploaded += 1;
        const answer = json(reply.body) as { id?: number; thumbnail?: string } | undefined;
        if (answer?.thumbnail === 'ready') {
          counters.thumbnailsReady += 1;
          ready.push(performance.now() - started);
        } else if (typeof answer?.id === 'number') poll(answer.id, started, user);
      }
      return { label: 'upload', status: reply.status, ok: okStatus(reply.status) };
    },
    async finish() {
      await Promise.all([...polls]);
      return { counters, series: { 'thumbnail-ready': ready } };
    },
  };
}
