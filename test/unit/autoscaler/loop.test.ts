/**
 * The decision loop with a fake LB (its /stats.json on a loopback port) and an in-memory actuator:
 * 12 requests in flight on one server asks for 3 servers (HPA's rule, at most 2 more), the
 * actuator is called once and not again while it acts, every decision is logged with its inputs
 * and exposed as metrics; AUTOSCALE=off decides nothing; no signal, no decision.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Actuation, Actuator } from '../../../services/autoscaler/actuators/actuator.ts';
import { loadAutoscalerConfig } from '../../../services/autoscaler/config.ts';
import { Autoscaler } from '../../../services/autoscaler/loop.ts';
import { createMetrics } from '../../../services/autoscaler/metrics.ts';

async function fakeLb(t: { after: (fn: () => unknown) => void }, inflight: number[]) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        pools: [
          {
            name: 'web',
            healthy: inflight.length,
            requests: 100,
            queued: 0,
            latencySum: 1,
            backends: inflight.map((n, i) => ({
              address: `127.0.0.${31 + i}:1`,
              up: true,
              inflight: n,
            })),
          },
        ],
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function fakeActuator(servers: number, hold: Promise<void> = Promise.resolve()) {
  const calls: [string, number][] = [];
  const actuator: Actuator = {
    kind: 'runner',
    current: async () => new Map([['web', servers]]),
    scaleTo: async (pool, replicas): Promise<Actuation> => {
      calls.push([pool, replicas]);
      await hold;
      return { pool, replicas, servers: [] };
    },
  };
  return { actuator, calls };
}

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const configFor = (lb: string, extra: Record<string, string> = {}) =>
  loadAutoscalerConfig({
    AUTOSCALE_ACTUATOR: 'runner:/x',
    LB_ADMIN_URL: lb,
    AUTOSCALE: 'on',
    ...extra,
  });

test('12 in flight on one server: scale out to 3, once, logged with its inputs and exposed', async (t) => {
  const lb = await fakeLb(t, [12]);
  let release: () => void = () => undefined;
  const { actuator, calls } = fakeActuator(
    1,
    new Promise<void>((r) => {
      release = r;
    }),
  );
  const metrics = createMetrics();
  const { log, lines } = logLines();
  const loop = new Autoscaler(configFor(lb), actuator, metrics, log);
  await loop.tickOnce();
  assert.deepEqual(calls, [['web', 3]]);
  await loop.tickOnce();
  assert.deepEqual(calls, [['web', 3]], 'not asked again while the first action runs');
  assert.equal(loop.status()[0]?.reason, 'actuating');
  release();
  await loop.stop();
  const decision = lines.find((l) => l.msg === 'decision: scale');
  assert.ok(decision);
  assert.equal(decision.reason, 'scale-out');
  assert.deepEqual(
    [decision.current, decision.desired, decision.value, decision.target, decision.inRotation],
    [1, 3, 12, 4, 1],
  );
  const text = await metrics.registry.metrics();
  assert.match(text, /autoscaler_desired_replicas\{pool="web"\} 3/);
  assert.match(text, /autoscaler_current_replicas\{pool="web"\} 1/);
  assert.match(text, /autoscaler_decision_reason\{pool="web",reason="actuating"\} 1/);
  assert.match(text, /autoscaler_decisions_total\{pool="web",reason="scale-out"\} 1/);
});

test('AUTOSCALE=off reports the signals and decides nothing', async (t) => {
  const lb = await fakeLb(t, [12]);
  const { actuator, calls } = fakeActuator(1);
  const loop = new Autoscaler(
    configFor(lb, { AUTOSCALE: 'off' }),
    actuator,
    createMetrics(),
    logLines().log,
  );
  await loop.tickOnce();
  assert.deepEqual(calls, []);
  assert.deepEqual([loop.status()[0]?.reason, loop.status()[0]?.metric], ['disabled', 12]);
});

test('without the LB no decision is taken', async () => {
  const { actuator, calls } = fakeActuator(1);
  const config = configFor('http://127.0.0.1:9', { AUTOSCALE_SIGNAL_TIMEOUT_MS: '300' });
  const loop = new Autoscaler(config, actuator, createMetrics(), logLines().log);
  await loop.tickOnce();
  assert.deepEqual(calls, []);
  assert.equal(loop.status()[0]?.reason, 'no-signal');
});
