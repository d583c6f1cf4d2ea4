import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapLimit } from '../../../services/shared/map-limit.ts';

test('mapLimit keeps the order and never runs more than the limit at once', async () => {
  let running = 0;
  let most = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0], 3, async (n) => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, n * 3));
    running--;
    return n * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
  assert.equal(most, 3);
  assert.deepEqual(await mapLimit([], 4, async (n: number) => n), []);
});
