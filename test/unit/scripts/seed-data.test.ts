import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postBody, prng, seedUsername, skewedIndex, timeline } from '../../../scripts/seed/data.ts';

test('the generator is deterministic and uniform-ish', () => {
  const a = prng(7);
  const b = prng(7);
  const values = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(
    values.slice(0, 5),
    Array.from({ length: 5 }, () => b()),
  );
  assert.ok(values.every((v) => v >= 0 && v < 1));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});

test('post bodies are about 1 KB and never over the limit', () => {
  const random = prng(1);
  const lengths = Array.from({ length: 500 }, () => postBody(random).length);
  assert.ok(
    lengths.every((n) => n > 700 && n <= 1024),
    `${Math.min(...lengths)}..${Math.max(...lengths)}`,
  );
  const mean = lengths.reduce((s, n) => s + n, 0) / lengths.length;
  assert.ok(Math.abs(mean - 1000) < 60, `mean ${mean}`);
});

test('authors are skewed: the first tenth of users write most posts', () => {
  const random = prng(3);
  const picks = Array.from({ length: 10_000 }, () => skewedIndex(random, 1000));
  assert.ok(picks.every((i) => Number.isInteger(i) && i >= 0 && i < 1000));
  const top = picks.filter((i) => i < 100).length / picks.length;
  assert.ok(top > 0.25 && top < 0.4, `share of the top 10 %: ${top}`);
});

test('timestamps ascend over the chosen days, and usernames are fixed-width', () => {
  const end = new Date('2026-06-01T00:00:00Z');
  const at = timeline(100, 10, end);
  assert.equal(at(0).getTime(), end.getTime() - 10 * 86_400_000);
  for (let i = 1; i < 100; i++) assert.ok(at(i) > at(i - 1));
  assert.ok(at(99) < end);
  assert.equal(seedUsername(42), 'seed_000042');
});
