import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelay, untilPublished } from '../../../services/web/pages/publish-retry.ts';

test('retry delays double from the first and are capped', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 100].map((n) => retryDelay(n, 1000, 30_000)),
    [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000],
  );
});

test('failed and hung attempts are retried until one succeeds', async () => {
  const failures: [number, number][] = [];
  let calls = 0;
  const copied = await untilPublished({
    attempt: async () => {
      calls += 1;
      if (calls === 1) throw new Error('store down');
      if (calls === 2) return new Promise<number>(() => {}); // hung: never answers
      return 3;
    },
    attemptTimeoutMs: 50,
    firstDelayMs: 5,
    maxDelayMs: 20,
    signal: new AbortController().signal,
    onFailure: (_error, attempt, retryInMs) => failures.push([attempt, retryInMs]),
  });
  assert.equal(copied, 3);
  assert.equal(calls, 3);
  assert.deepEqual(failures, [
    [1, 5],
    [2, 10],
  ]);
});

test('closing the server stops the retries, during a pause or an attempt', async () => {
  const closing = new AbortController();
  let calls = 0;
  const pending = untilPublished({
    attempt: async () => {
      calls += 1;
      throw new Error('store down');
    },
    attemptTimeoutMs: 1000,
    firstDelayMs: 60_000,
    maxDelayMs: 60_000,
    signal: closing.signal,
  });
  setTimeout(() => closing.abort(), 20);
  const started = performance.now();
  assert.equal(await pending, undefined);
  assert.ok(performance.now() - started < 1000, 'did not wait out the 60 s pause');
  assert.equal(calls, 1);

  const aborted = new AbortController();
  aborted.abort();
  let ran = false;
  const none = await untilPublished({
    attempt: async () => {
      ran = true;
      return 1;
    },
    attemptTimeoutMs: 1000,
    firstDelayMs: 1,
    maxDelayMs: 1,
    signal: aborted.signal,
  });
  assert.equal(none, undefined);
  assert.equal(ran, false);
});
