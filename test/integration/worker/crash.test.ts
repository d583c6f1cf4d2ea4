/**
 * Workers stopped mid-job, with the product's lock and stall settings. The test holds the media
 * row's lock, so a worker stores every thumbnail and then waits to mark the row ready: the job is
 * certainly active, its output half-done. kill -9 there: the job runs again on another worker and
 * the upload ends with exactly one set. SIGTERM there: the job finishes, then the worker exits 0.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Queue } from 'bullmq';
import type { Connection } from 'mysql2/promise';
import { jobIdOf } from '../../../services/shared/thumbnails/job.ts';
import { waitUntil } from '../../../services/shared/wait-until.ts';
import { image } from '../../support/images.ts';
import { connectMysql, query, type StackFile } from '../../support/stack.ts';
import { objectsOf, settled, startQueueWeb, upload } from '../../support/thumbnails.ts';
import { startTestWorker } from '../../support/worker.ts';

/** Locks the row in a transaction of its own; the returned function releases it. */
async function holdRow(sql: Connection, id: number): Promise<() => Promise<void>> {
  await sql.query('BEGIN');
  await sql.query('SELECT id FROM media WHERE id = ? FOR UPDATE', [id]);
  return async () => {
    await sql.query('ROLLBACK');
  };
}

async function killOrphanedUpdate(stack: StackFile, database: string): Promise<void> {
  const root = await connectMysql(stack);
  try {
    const rows = await query(
      root,
      "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'UPDATE media SET thumbnail_status%'",
      [database],
    );
    assert.equal(rows.length, 1, 'the killed worker was waiting to mark the row ready');
    await query(root, 'KILL QUERY ?', [Number(rows[0]?.ID)]);
  } finally {
    await root.end();
  }
}

/** Waits until the job is active and has stored all three thumbnails. */
async function storedAll(queue: Queue, id: number): Promise<void> {
  await waitUntil(
    async () => {
      const job = await queue.getJob(jobIdOf(id));
      if (job?.progress !== 3) throw new Error(`progress ${String(job?.progress)}`);
      if ((await job.getState()) !== 'active') throw new Error('not active');
    },
    { what: 'thumbnails stored', timeoutMs: 30_000, intervalMs: 20 },
  );
}

test('kill -9 mid-job: another worker runs it again, one set of thumbnails', async (t) => {
  const { web, client, queue } = await startQueueWeb(t);
  const first = startTestWorker(t, web);
  await first.waitReady();
  const { body } = await upload(client, await image('jpeg', 1200, 900));
  const release = await holdRow(await web.sql(), body.id);
  await storedAll(queue, body.id);
  first.signal('SIGKILL');
  assert.equal((await first.exited).signal, 'SIGKILL');
  // The dead worker's UPDATE still waits for the lock inside MariaDB and would mark the row ready
  // once it is free; killed here, the re-run has to do the whole job itself.
  await killOrphanedUpdate(web.stack, web.database);
  await release();
  assert.equal(
    (await client.get<{ thumbnail: string }>(`/api/media/${body.id}`)).body.thumbnail,
    'pending',
  );

  const second = startTestWorker(t, web);
  await second.waitReady();
  const done = await settled(client, body.id, 90_000);
  assert.equal(done.thumbnail, 'ready');
  const job = await queue.getJob(jobIdOf(body.id));
  assert.equal(job?.processedBy, second.name, 'finished by the surviving worker');
  assert.equal(job?.attemptsStarted, 2, 'started twice: once on each worker');
  const keys = await objectsOf(web.stack, body.url);
  assert.equal(keys.length, 4, `the original and one set of three sizes: ${keys.join(' ')}`);
  const metrics = String((await web.client().get(`${await second.url()}/metrics`)).body);
  assert.match(metrics, /thumbnail_jobs_stalled_total 1/);
});

test('SIGTERM mid-job: the active job finishes, then the worker exits 0', async (t) => {
  const { web, client, queue } = await startQueueWeb(t);
  const worker = startTestWorker(t, web);
  await worker.waitReady();
  const { body } = await upload(client, await image('png', 1000, 800));
  const release = await holdRow(await web.sql(), body.id);
  await storedAll(queue, body.id);
  worker.signal('SIGTERM');
  // Still draining while the job waits: readiness already says so.
  await waitUntil(
    async () => {
      const ready = await web.client().get(`${await worker.url()}/health/ready`);
      if (ready.status !== 503) throw new Error(`ready ${ready.status}`);
    },
    { what: 'readiness 503', timeoutMs: 5000, intervalMs: 50 },
  );
  await release();
  const exit = await worker.exited;
  assert.deepEqual(exit, { code: 0, signal: null });
  const job = await queue.getJob(jobIdOf(body.id));
  assert.equal(await job?.getState(), 'completed');
  assert.equal(job?.processedBy, worker.name);
  assert.equal((await settled(client, body.id)).thumbnail, 'ready');
});
