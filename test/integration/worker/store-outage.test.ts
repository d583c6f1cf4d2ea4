/**
 * The object store killed while thumbnail jobs wait (RELIABILITY.md): uploads answer 503, the
 * worker's attempts fail and back off without giving up, and once the store is back every
 * accepted upload's thumbnails are made. A private s3rver, so the shared one is not disturbed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitUntil } from '../../../services/shared/wait-until.ts';
import { image } from '../../support/images.ts';
import { startTestS3 } from '../../support/s3-server.ts';
import { readStackFile } from '../../support/stack.ts';
import { settled, startQueueWeb, upload } from '../../support/thumbnails.ts';
import { startTestWorker } from '../../support/worker.ts';

test('object store killed: jobs back off, and all complete once it returns', async (t) => {
  const s3 = await startTestS3(t, readStackFile());
  const { web, client } = await startQueueWeb(t, { S3_ENDPOINT: s3.endpoint });
  const ids: number[] = [];
  for (let i = 0; i < 4; i++) {
    const reply = await upload(client, await image('jpeg', 640, 480));
    assert.equal(reply.status, 202);
    ids.push(reply.body.id);
  }
  await s3.kill();
  const refused = await upload(client, await image('jpeg', 64, 64));
  assert.equal(refused.status, 503, 'no upload is accepted without its original stored');

  const worker = startTestWorker(t, web, { S3_ENDPOINT: s3.endpoint });
  await worker.waitReady();
  const metrics = async () =>
    String((await web.client().get(`${await worker.url()}/metrics`)).body);
  const retried = async () =>
    Number(/thumbnail_jobs_total\{outcome="retried"\} (\d+)/.exec(await metrics())?.[1] ?? 0);
  await waitUntil(
    async () => {
      if ((await retried()) < ids.length + 2) throw new Error('not retried yet');
    },
    { what: 'every job failed and retried at least once', timeoutMs: 30_000, intervalMs: 200 },
  );
  for (const id of ids) {
    const media = await client.get<{ thumbnail: string }>(`/api/media/${id}`);
    assert.equal(media.body.thumbnail, 'pending', 'backing off, not given up');
  }
  await s3.start();
  for (const id of ids) assert.equal((await settled(client, id, 120_000)).thumbnail, 'ready');
  assert.doesNotMatch(await metrics(), /thumbnail_jobs_total\{outcome="failed"\}/);
});
