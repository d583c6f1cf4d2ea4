import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPicker, type Pickable } from '../../../services/lb/balancer/algorithms.ts';
import type { LbAlgorithm } from '../../../services/shared/config/flags.ts';

interface B extends Pickable {
  name: string;
  routable: boolean;
  weight: number;
  inflight: number;
}

const make = (specs: [string, number, boolean?, number?][]): B[] =>
  specs.map(([name, weight, routable = true, inflight = 0]) => ({
    name,
    weight,
    routable,
    inflight,
    rrCurrent: 0,
  }));

/** A deterministic random source (LCG) so the statistical tables are repeatable. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
}

function counts(algorithm: LbAlgorithm, backends: B[], picks: number): Record<string, number> {
  const pick = createPicker<B>(algorithm, seeded(7));
  const out: Record<string, number> = {};
  for (let i = 0; i < picks; i++) {
    const b = pick(backends, null);
    if (b !== undefined) out[b.name] = (out[b.name] ?? 0) + 1;
  }
  return out;
}

test('round-robin is an exact rotation for equal weights', () => {
  const backends = make([
    ['a', 1],
    ['b', 1],
    ['c', 1],
  ]);
  const pick = createPicker<B>('round-robin');
  const seq = Array.from({ length: 6 }, () => pick(backends, null)?.name).join('');
  assert.equal(seq, 'abcabc');
});

test('smooth weighted round-robin spreads a 5:1:1 weight without bursts', () => {
  const backends = make([
    ['a', 5],
    ['b', 1],
    ['c', 1],
  ]);
  const pick = createPicker<B>('round-robin');
  const seq = Array.from({ length: 7 }, () => pick(backends, null)?.name).join('');
  assert.equal(seq, 'aabacaa');
});

const shareTable: { algorithm: LbAlgorithm; weights: [string, number][]; tolerance: number }[] = [
  {
    algorithm: 'round-robin',
    weights: [
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ],
    tolerance: 0.001,
  },
  {
    algorithm: 'round-robin',
    weights: [
      ['a', 3],
      ['b', 1],
    ],
    tolerance: 0.001,
  },
  {
    algorithm: 'random',
    weights: [
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ],
    tolerance: 0.02,
  },
  {
    algorithm: 'random',
    weights: [
      ['a', 3],
      ['b', 1],
    ],
    tolerance: 0.02,
  },
  {
    algorithm: 'p2c',
    weights: [
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ],
    tolerance: 0.02,
  },
  {
    algorithm: 'least-connections',
    weights: [
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ],
    tolerance: 0.001,
  },
];

for (const row of shareTable) {
  test(`${row.algorithm} with weights ${JSON.stringify(row.weights)} gives each its share`, () => {
    const backends = make(row.weights.map(([n, w]) => [n, w]));
    const total = row.weights.reduce((a, [, w]) => a + w, 0);
    const n = 30_000;
    const got = counts(row.algorithm, backends, n);
    for (const [name, weight] of row.weights) {
      const share = (got[name] ?? 0) / n;
      assert.ok(Math.abs(share - weight / total) <= row.tolerance, `${name}: ${share}`);
    }
  });
}

const algorithms: LbAlgorithm[] = ['round-robin', 'least-connections', 'random', 'p2c'];

for (const algorithm of algorithms) {
  test(`${algorithm} never picks a down, zero-weight or already-tried backend`, () => {
    const backends = make([
      ['down', 1, false],
      ['zero', 0],
      ['tried', 1],
      ['ok', 1],
    ]);
    const tried = [backends[2] as B];
    const pick = createPicker<B>(algorithm, seeded(3));
    for (let i = 0; i < 200; i++) assert.equal(pick(backends, tried)?.name, 'ok');
  });

  test(`${algorithm} returns undefined when nothing is eligible`, () => {
    const pick = createPicker<B>(algorithm, seeded(3));
    assert.equal(
      pick(
        make([
          ['a', 1, false],
          ['b', 0],
        ]),
        null,
      ),
      undefined,
    );
    assert.equal(pick([], null), undefined);
  });
}

const loadTable: {
  algorithm: LbAlgorithm;
  backends: [string, number, boolean, number][];
  expect: string;
}[] = [
  {
    algorithm: 'least-connections',
    backends: [
      ['a', 1, true, 5],
      ['b', 1, true, 1],
      ['c', 1, true, 3],
    ],
    expect: 'b',
  },
  {
    algorithm: 'least-connections',
    backends: [
      ['a', 4, true, 6],
      ['b', 1, true, 2],
    ],
    expect: 'a',
  },
];

for (const row of loadTable) {
  test(`${row.algorithm} prefers the least loaded per weight (${row.expect})`, () => {
    const pick = createPicker<B>(row.algorithm);
    for (let i = 0; i < 10; i++) assert.equal(pick(make(row.backends), null)?.name, row.expect);
  });
}

test('p2c never picks the most loaded of three when the other two are idle', () => {
  const backends = make([
    ['busy', 1, true, 100],
    ['x', 1, true, 0],
    ['y', 1, true, 0],
  ]);
  const pick = createPicker<B>('p2c', seeded(11));
  for (let i = 0; i < 500; i++) assert.notEqual(pick(backends, null)?.name, 'busy');
});
