import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageRejectedError } from '../../../services/shared/media/image.ts';
import { originalKey } from '../../../services/shared/storage/keys.ts';
import { jobIdOf, parseSizes, parseThumbnailJob } from '../../../services/shared/thumbnails/job.ts';
import {
  evictionPolicyOf,
  redactUrl,
  versionTooOld,
} from '../../../services/shared/thumbnails/redis-policy.ts';
import { backoffDelay } from '../../../services/worker/jobs/backoff.ts';
import {
  classifyFailure,
  failureMessage,
  JobTimeoutError,
  lastAttempt,
  PermanentJobError,
} from '../../../services/worker/jobs/failure.ts';
import { repairAction } from '../../../services/worker/outbox/repair.ts';

test('backoff doubles from the base, is capped, and is jittered within [ceiling/2, ceiling]', () => {
  const options = { baseMs: 1000, maxMs: 60_000 };
  const cases: [number, number, number][] = [
    // attemptsMade, random, delay
    [1, 1, 1000],
    [1, 0, 500],
    [2, 1, 2000],
    [4, 1, 8000],
    [7, 1, 60_000],
    [40, 1, 60_000],
    [40, 0, 30_000],
    [0, 1, 1000],
  ];
  for (const [attempts, random, want] of cases)
    assert.equal(
      backoffDelay(attempts, options, () => random),
      want,
      `${attempts} ${random}`,
    );
});

test('only failures no retry can fix fail at once', () => {
  const cases: [unknown, boolean][] = [
    [new ImageRejectedError('unreadable', 'the image could not be decoded'), false],
    [new ImageRejectedError('too-many-pixels', 'too big'), false],
    [new ImageRejectedError('too-many-frames', 'too many'), false],
    [new PermanentJobError('the original is missing from the store'), false],
    [new JobTimeoutError(30_000), true],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
    [new Error('anything else'), true],
    ['a string', true],
  ];
  for (const [error, retry] of cases)
    assert.equal(classifyFailure(error).retry, retry, String(error));
  assert.equal(failureMessage(classifyFailure(new PermanentJobError('gone'))), 'gone');
  assert.match(
    failureMessage(classifyFailure(new Error('ECONNRESET at 10.0.0.1'))),
    /could not be made/,
  );
  assert.equal(lastAttempt(0, 1), true);
  assert.equal(lastAttempt(13, 15), false);
  assert.equal(lastAttempt(14, 15), true);
});

test('job data is checked before anything runs', () => {
  const objectKey = originalKey('image/png');
  const ok = { mediaId: 7, objectKey, sizes: [128, 256] };
  assert.deepEqual(parseThumbnailJob(ok), ok);
  const bad: unknown[] = [
    null,
    'job',
    { ...ok, mediaId: 0 },
    { ...ok, mediaId: '7' },
    { ...ok, objectKey: '../etc/passwd' },
    { ...ok, objectKey: objectKey.replace('original.png', 'thumbnail-128.webp') },
    { ...ok, sizes: [] },
    { ...ok, sizes: [8] },
    { ...ok, sizes: [128, 4096] },
    { ...ok, sizes: Array.from({ length: 9 }, () => 128) },
  ];
  for (const data of bad) assert.equal(parseThumbnailJob(data), undefined, JSON.stringify(data));
  assert.equal(jobIdOf(7), 'media-7');
  assert.deepEqual(parseSizes('128,256,512'), [128, 256, 512]);
  assert.deepEqual(parseSizes(''), []);
  assert.equal(parseSizes('128,x'), undefined);
});

test('the eviction policy and version come from INFO; passwords stay out of messages', () => {
  const info = '# Server\r\nredis_version:7.0.15\r\n# Memory\r\nmaxmemory_policy:allkeys-lru\r\n';
  assert.equal(evictionPolicyOf(info), 'allkeys-lru');
  assert.equal(evictionPolicyOf('# Memory\r\nused_memory:1\r\n'), undefined);
  assert.equal(
    redactUrl('redis://user:secret@10.0.0.1:6379/0'),
    'redis://user:***@10.0.0.1:6379/0',
  );
  assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.deepEqual(['4.0.14', '5.0.0', '6.2.1', '7.0.15', '10.0'].map(versionTooOld), [
    true,
    false,
    false,
    false,
    false,
  ]);
});

test('a long-pending upload is repaired from its job state', () => {
  const cases = [
    ['unknown', 'requeue'],
    ['completed', 'requeue'],
    ['failed', 'mark-failed'],
    ['waiting', 'leave'],
    ['active', 'leave'],
    ['delayed', 'leave'],
    ['prioritized', 'leave'],
  ] as const;
  for (const [state, action] of cases) assert.equal(repairAction(state), action, state);
});
