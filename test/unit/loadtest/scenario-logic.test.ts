import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLoadConfig } from '../../../loadtest/load/config.ts';
import { generatorCpu } from '../../../loadtest/run/result.ts';
import {
  cartOf,
  itemsLost,
  lostPerThousandCarts,
} from '../../../loadtest/scenarios/cart-integrity.ts';
import { multipartFile } from '../../../loadtest/scenarios/multipart.ts';
import { partOf } from '../../../loadtest/scenarios/scenario.ts';
import { ConfigError } from '../../../services/shared/config/env.ts';

test('cart integrity counts acknowledged items the cart no longer shows', () => {
  assert.equal(itemsLost({ A: 2, B: 1 }, { A: 2, B: 1 }), 0);
  assert.equal(itemsLost({ A: 2, B: 1 }, { A: 1 }), 2);
  assert.equal(itemsLost({ A: 1 }, { A: 3, C: 1 }), 0, 'extra items are not a loss');
  assert.deepEqual(
    cartOf({
      items: [
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 1, name: 'x' },
      ],
    }),
    { A: 2, B: 1 },
  );
  assert.deepEqual(cartOf({ error: 'x' }), {});
  assert.equal(lostPerThousandCarts(3, 600), 5);
  assert.equal(lostPerThousandCarts(0, 0), 0);
});

test('the generator is trusted only while each of its threads stays under 80 % of a core', () => {
  assert.equal(generatorCpu(1500, [0.5, 0.6], 1000).trusted, true);
  const busy = generatorCpu(1800, [0.9, 0.85], 1000);
  assert.equal(busy.trusted, false);
  assert.match(busy.note, /cannot be trusted/);
  assert.equal(busy.cores, 1.8);
});

test('load settings: defaults, and every bad variable named', () => {
  const c = parseLoadConfig({});
  assert.equal(c.SCENARIO, 'read-heavy');
  assert.equal(c.MODE, 'rate');
  const problems = (env: Record<string, string>) => {
    try {
      parseLoadConfig(env);
      return [];
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems;
    }
  };
  const bad = problems({
    SCENARIO: 'write-heavy',
    RATE: '-5',
    DURATION: '100000',
    MODE: 'soak',
    CONNECTIONS: '0',
  });
  for (const name of ['SCENARIO', 'RATE', 'DURATION', 'MODE', 'CONNECTIONS'])
    assert.ok(
      bad.some((p) => p.startsWith(`${name}=`)),
      `${name} in ${bad.join(' | ')}`,
    );
  assert.match(problems({ RATE: '50000', DURATION: '600' }).join(), /at most 5,000,000/);
});

test('workers split lists without overlap; multipart bodies carry the file intact', () => {
  const list = [0, 1, 2, 3, 4];
  assert.deepEqual(
    [partOf(list, 0, 2), partOf(list, 1, 2)],
    [
      [0, 2, 4],
      [1, 3],
    ],
  );
  const { body, contentType } = multipartFile(
    'file',
    'a.png',
    'image/png',
    Buffer.from('PNGDATA'),
    'B',
  );
  assert.equal(contentType, 'multipart/form-data; boundary=B');
  assert.match(
    body.toString(),
    /^--B\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image\/png\r\n\r\nPNGDATA\r\n--B--\r\n$/,
  );
});
