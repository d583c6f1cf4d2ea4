import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoutes } from '../../../services/fault-proxy/config.ts';
import {
  bandwidthMs,
  latencyMs,
  parseToxic,
  releaseAt,
  ToxicError,
} from '../../../services/fault-proxy/toxics.ts';

test('toxics parse with Toxiproxy defaults (downstream, toxicity 1, attributes 0)', () => {
  assert.deepEqual(parseToxic({ type: 'latency', attributes: { latency: 200 } }), {
    name: 'latency_downstream',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 200, jitter: 0 },
  });
  const t = parseToxic({ type: 'timeout', stream: 'upstream', toxicity: 0.5, name: 'cut' });
  assert.equal(t.name, 'cut');
  assert.deepEqual(t.attributes, { timeout: 0 });
});

const bad: [string, unknown][] = [
  ['unknown type', { type: 'slicer' }],
  ['no body', null],
  ['bad stream', { type: 'latency', stream: 'sideways' }],
  ['toxicity above 1', { type: 'latency', toxicity: 2 }],
  ['unknown attribute', { type: 'latency', attributes: { rate: 1 } }],
  ['negative attribute', { type: 'latency', attributes: { latency: -1 } }],
  ['string attribute', { type: 'latency', attributes: { latency: '5' } }],
  ['bandwidth without rate', { type: 'bandwidth' }],
  ['bad name', { type: 'latency', name: '../x' }],
];
for (const [what, body] of bad)
  test(`a bad toxic is refused: ${what}`, () => assert.throws(() => parseToxic(body), ToxicError));

test('latency ± jitter, never negative', () => {
  assert.equal(latencyMs({ latency: 100, jitter: 20 }, 0), 80);
  assert.equal(latencyMs({ latency: 100, jitter: 20 }, 0.5), 100);
  assert.ok(Math.abs(latencyMs({ latency: 100, jitter: 20 }, 0.9999) - 119.996) < 1e-9);
  assert.equal(latencyMs({ latency: 10, jitter: 50 }, 0), 0);
});

test('bandwidth: bytes at KB/s; release keeps order', () => {
  assert.equal(bandwidthMs(10 * 1024, 10), 1000);
  assert.equal(releaseAt(0, 1000, 50), 1050);
  assert.equal(releaseAt(2000, 1000, 50), 2000, 'never before the previous chunk');
});

test('routes: name=listen>upstream; malformed or duplicate names refused', () => {
  assert.deepEqual(parseRoutes('redis=127.0.0.26:8611>127.0.0.21:8379'), [
    {
      name: 'redis',
      listen: { host: '127.0.0.26', port: 8611 },
      upstream: { host: '127.0.0.21', port: 8379 },
    },
  ]);
  assert.deepEqual(parseRoutes(''), []);
  assert.equal(parseRoutes('redis=127.0.0.26:8611'), undefined);
  assert.equal(parseRoutes('a=h:1>h:2;a=h:3>h:4'), undefined);
  assert.equal(parseRoutes('x y=h:1>h:2'), undefined);
});
