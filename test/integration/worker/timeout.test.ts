/**
 * The per-job deadline (WORKER_JOB_TIMEOUT_MS) against a real store that hangs: the object store
 * is paused (SIGSTOP) while a job runs, so its read never answers. The attempt is abandoned at the
 * deadline, counted as retried (a slow store is transient, not the image's fault), the upload stays
 * `pending`, and once the store answers again the job completes: one set of thumbnails. The queue
 * metrics show the states on the way (active, then completed) and the job's duration.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitUntil } from '../../../services/shared/wait-until.ts';
import { image } from '../../support/images.ts';
import { startTestS3 } from '../../support/s3-server.ts';
import { readStackFile } from '../../support/stack.ts';
import { settled, startQueueWeb, upload } from '../../support/thumbnails.ts';
import { startTestWorker } from '../../support/worker.ts';

const DEADLINE_MS = 1500;

test('a job past its deadline is abandoned and retried; it completes once the store answers', async (t) => {
  const s3 = await startTestS3(t, readStackFile());
  const { web, client } = await startQueueWeb(t, { S3_ENDPOINT: s3.endpoint });
  const accepted = await upload(client, await image('jpeg', 640, 480));
  assert.equal(accepted.status, 202);
  s3.signal('SIGSTOP');
  t.after(() => s3.signal('SIGCONT'));
  // The default deadline is 30 s; a short one shows the same code path within the test's time.
  // The store client's own timeout (S3_TIMEOUT_MS, 10 s) stays longer, so the deadline ends it.
  const worker = startTestWorker(t, web, {
    S3_ENDPOINT: s3.endpoint,
    WORKER_JOB_TIMEOUT_MS: String(DEADLINE_MS),
  });
  await worker.waitReady();
  const metrics = async () =>
    String((await web.client().get(`${await worker.url()}/metrics`)).body);
  await waitUntil(
    async () => {
      if (!worker.output.some((l) => l.includes(`the job took longer than ${DEADLINE_MS} ms`)))
        throw new Error('no deadline yet');
    },
    { what: 'the attempt abandoned at its deadline', timeoutMs: 30_000, intervalMs: 200 },
  );
  const during = await metrics();
  assert.match(during, /thumbnail_jobs_total\{outcome="retried"\} [1-9]/);
  assert.match(during, /thumbnail_job_duration_seconds_count\{outcome="retried"\} [1-9]/);
  assert.doesNotMatch(during, /thumbnail_jobs_total\{outcome="failed"\}/);
  const pending = await client.get<{ thumbnail: string }>(`/api/media/${accepted.body.id}`);
  assert.equal(pending.body.thumbnail, 'pending', 'a slow store is not the image’s fault');

  s3.signal('SIGCONT');
  const done = await settled(client, accepted.body.id, 120_000);
  assert.equal(done.thumbnail, 'ready');
  const after = await metrics();
  assert.match(after, /thumbnail_jobs_total\{outcome="ready"\} 1\b/);
  assert.match(after, /thumbnail_queue_jobs\{state="completed"\} 1\b/);
  assert.match(after, /thumbnail_queue_jobs\{state="failed"\} 0\b/);
  assert.match(after, /thumbnail_queue_jobs\{state="waiting"\} 0\b/);
});
