/**
 * Stage 6 as `make local STAGE=6` starts it (smaller pools, no replicas, to save the CPU): the
 * runner starts two workers in their own boxes and lists them in stack.json; an upload through the
 * LB answers 202 `pending` and turns `ready`; the workers' metrics show the queue. Then one worker
 * is stopped with SIGTERM and the other carries on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startStack } from '../../../runner/stack/api.ts';
import { Client } from '../../support/http.ts';
import { image } from '../../support/images.ts';
import { baseStackEnv, serviceOf, servicesOfKind } from '../../support/stack.ts';
import { settled, upload } from '../../support/thumbnails.ts';

const STAGE_6 = {
  STAGE: '6',
  WEB_REPLICAS: '1',
  READ_API_REPLICAS: '0',
  WRITE_API_REPLICAS: '0',
  DB_REPLICAS: '0',
  READ_FROM: 'primary',
  CACHE: 'off',
};

test('stage 6 natively: two workers, an upload through the LB becomes ready', async (t) => {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-queue-'));
  const stack = await startStack({
    env: { ...baseStackEnv(), ...STAGE_6 },
    stackDir,
    portBase: 'auto',
  });
  t.after(async () => {
    await stack.stop();
    rmSync(stackDir, { recursive: true, force: true });
  });
  const workers = servicesOfKind(stack.info, 'worker');
  assert.deepEqual(
    workers.map((w) => [w.name, w.host, w.ports.metrics, w.box]),
    [
      ['worker-1', '127.0.0.151', stack.portBase + 231, 'worker-1'],
      ['worker-2', '127.0.0.152', stack.portBase + 232, 'worker-2'],
    ],
  );
  for (const w of workers) assert.ok(w.pid !== null && w.url !== null, w.name);
  assert.equal(stack.info.flags.THUMBNAILS, 'queue');

  const ca = readFileSync(join(serviceOf(stack.info, 'lb').dataDir, 'dev-cert.pem'));
  const client = new Client(stack.info.entry ?? '', { ca });
  const credentials = { username: 'stage6', password: 'password-123' };
  assert.equal((await client.post('/api/users', { json: credentials })).status, 201);
  assert.equal((await client.post('/api/sessions', { json: credentials })).status, 200);
  const ids: number[] = [];
  for (let i = 0; i < 4; i++) {
    const reply = await upload(client, await image('jpeg', 800, 600));
    assert.equal(reply.status, 202, JSON.stringify(reply.body));
    assert.equal(reply.body.thumbnail, 'pending');
    ids.push(reply.body.id);
  }
  for (const id of ids) assert.equal((await settled(client, id)).thumbnail, 'ready');
  let ran = 0;
  for (const w of workers) {
    const metrics = String((await new Client(w.url ?? '').get('/metrics')).body);
    assert.match(metrics, /thumbnail_queue_jobs\{state="completed"\} 4/, w.name);
    ran += Number(/thumbnail_jobs_total\{outcome="ready"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  }
  assert.equal(ran, 4, 'every job ran once, on one of the workers');

  const first = workers[0];
  assert.ok(first?.pid);
  process.kill(first.pid, 'SIGTERM');
  const after = await upload(client, await image('png', 400, 300));
  assert.equal(after.status, 202);
  assert.equal((await settled(client, after.body.id)).thumbnail, 'ready', 'worker-2 carries on');
});
