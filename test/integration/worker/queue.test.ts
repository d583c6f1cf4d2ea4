/**
 * THUMBNAILS=queue end to end against the shared stack's Redis, MariaDB and S3 store, with real
 * worker processes: the upload answers 202 `pending` at once, a worker makes every size and the
 * API shows `ready`; a job run twice leaves one set of thumbnails; images no retry can fix fail at
 * once, visibly, without a second attempt.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import sharp from 'sharp';
import { jobIdOf } from '../../../services/shared/thumbnails/job.ts';
import { ThumbnailProducer } from '../../../services/shared/thumbnails/producer.ts';
import { waitUntil } from '../../../services/shared/wait-until.ts';
import { type Format, gifWithFrames, image, pngBomb } from '../../support/images.ts';
import { keyOfUrl, objectsOf, settled, startQueueWeb, upload } from '../../support/thumbnails.ts';
import { startTestWorker } from '../../support/worker.ts';

const SIZES = ['128', '256', '512'];

describe('THUMBNAILS=queue', () => {
  test('202 pending at once, then ready: every size stored, valid and within its box', async (t) => {
    const { web, client } = await startQueueWeb(t);
    const uploads = [];
    for (const format of ['jpeg', 'png', 'gif', 'webp'] as Format[]) {
      const reply = await upload(client, await image(format, 900, 600));
      assert.equal(reply.status, 202, `${format}: ${JSON.stringify(reply.body)}`);
      assert.equal(reply.body.thumbnail, 'pending');
      uploads.push(reply.body);
    }
    // No worker yet: the jobs wait, nothing is lost, the API still says pending.
    const before = await client.get<{ thumbnail: string }>(`/api/media/${uploads[0]?.id}`);
    assert.equal(before.body.thumbnail, 'pending');
    const worker = startTestWorker(t, web);
    await worker.waitReady();
    for (const media of uploads) {
      const done = await settled(client, media.id);
      assert.equal(done.thumbnail, 'ready');
      assert.deepEqual(Object.keys(done.thumbnails).sort(), SIZES);
      assert.equal(done.thumbnailUrl, done.thumbnails['256']);
      for (const [size, url] of Object.entries(done.thumbnails)) {
        const file = await web.client().get(url);
        assert.equal(file.status, 200, url);
        const meta = await sharp(file.raw).metadata();
        assert.equal(meta.format, 'webp');
        assert.equal(Math.max(meta.width ?? 0, meta.height ?? 0), Math.min(Number(size), 900));
      }
      const keys = await objectsOf(web.stack, media.url);
      assert.equal(keys.length, 1 + SIZES.length, keys.join(' '));
    }
    const metrics = await web.client().get(`${await worker.url()}/metrics`);
    assert.match(String(metrics.body), /thumbnail_jobs_total\{outcome="ready"\} 4/);
    assert.match(String(metrics.body), /thumbnail_queue_jobs\{state="completed"\} 4/);
  });

  test('a job that runs twice leaves exactly one set of thumbnails', async (t) => {
    const { web, client, queue } = await startQueueWeb(t);
    const worker = startTestWorker(t, web);
    await worker.waitReady();
    const { body } = await upload(client, await image('png', 700, 500));
    const first = await settled(client, body.id);
    const keys = await objectsOf(web.stack, first.url);
    const job = {
      mediaId: first.id,
      objectKey: keyOfUrl(first.url),
      sizes: [128, 256, 512],
    };
    const producer = new ThumbnailProducer({
      url: web.config.REDIS_URL ?? '',
      queueName: web.config.QUEUE_NAME,
      commandTimeoutMs: 2000,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    t.after(() => producer.close());
    await producer.start(5000);
    // Adding it again while the job exists is a no-op.
    await producer.add(job);
    assert.equal((await queue.getJobCounts('completed')).completed, 1);
    // As after a crash between storing the thumbnails and marking the row: the job runs again.
    const sql = await web.sql();
    await sql.query("UPDATE media SET thumbnail_status = 'pending' WHERE id = ?", [first.id]);
    await producer.rerun(job);
    // Watched on the worker and the primary: the API may serve the cached or replicated `ready`.
    await waitUntil(
      async () => {
        const metrics = String((await web.client().get(`${await worker.url()}/metrics`)).body);
        if (!/thumbnail_jobs_total\{outcome="ready"\} 2/.test(metrics)) throw new Error('not yet');
      },
      { what: 'the second run', timeoutMs: 60_000, intervalMs: 100 },
    );
    const [rows] = await sql.query<RowDataPacket[]>(
      'SELECT thumbnail_status FROM media WHERE id = ?',
      [first.id],
    );
    assert.equal(rows[0]?.thumbnail_status, 'ready');
    assert.deepEqual(await objectsOf(web.stack, first.url), keys, 'the same objects, no new set');
  });

  test('undecodable and over-limit images fail at once, without a retry, and say so', async (t) => {
    // The web servers check pixel and frame counts from the header already; here they are set
    // high so the worker, at the product's limits (40 Mpx, 100 frames), is the one that refuses.
    const { web, client, queue } = await startQueueWeb(t, {
      IMAGE_MAX_PIXELS: '1000000000',
      IMAGE_MAX_FRAMES: '10000',
    });
    const worker = startTestWorker(t, web);
    await worker.waitReady();
    const jpeg = await image('jpeg', 800, 600);
    const bad = {
      truncated: jpeg.subarray(0, jpeg.length / 2),
      pixels: pngBomb(30_000, 30_000),
      frames: gifWithFrames(5000),
    };
    for (const [what, bytes] of Object.entries(bad)) {
      const reply = await upload(client, bytes);
      assert.equal(reply.status, 202, `${what}: accepted, decoding is the worker's job`);
      const done = await settled(client, reply.body.id);
      assert.equal(done.thumbnail, 'failed', what);
      assert.ok((done.thumbnailError ?? '').length > 0, `${what}: a reason is shown`);
      const job = await queue.getJob(jobIdOf(reply.body.id));
      assert.equal(await job?.getState(), 'failed', what);
      assert.equal(job?.attemptsStarted, 1, `${what}: one attempt, no retry`);
      const keys = await objectsOf(web.stack, reply.body.url);
      assert.equal(keys.length, 1, `${what}: only the original is stored`);
    }
  });
});
