/**
 * Coordinated omission: a backend that stalls for one second in the middle of an open-loop run.
 * A generator that measures from the moment it sent a request (what a closed loop does) reports the
 * stall as a handful of slow requests; measured from each request's due time, every request that
 * should have gone out during the stall carries its wait. Loopback only, bounded (about 4 s).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Agent, request } from 'undici';
import { type Completed, closedLoop, openLoop } from '../../../loadtest/core/engine.ts';
import { latencyMs, serviceMs } from '../../../loadtest/core/pacing.ts';

const STALL_FROM_MS = 500;
const STALL_MS = 1500;
const RATE = 50;
const RUN_MS = 4000;
const DUE = (RATE * RUN_MS) / 1000;

async function stallingBackend(
  t: import('node:test').TestContext,
): Promise<{ url: string; begin(): void }> {
  let start = 0;
  const server = createServer((_req, res) => {
    const since = performance.now() - start;
    const wait =
      since >= STALL_FROM_MS && since < STALL_FROM_MS + STALL_MS
        ? STALL_FROM_MS + STALL_MS - since
        : 0;
    setTimeout(() => res.end('ok'), wait);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    begin: () => {
      start = performance.now();
    },
  };
}

test('open loop charges a stall to every request due during it; send-time measurement hides it', async (t) => {
  const backend = await stallingBackend(t);
  const agent = new Agent({ connections: 10 });
  t.after(() => agent.close());
  const send = async () => {
    const r = await request(backend.url, { dispatcher: agent });
    await r.body.dump();
    return { label: 'get', status: r.statusCode, ok: r.statusCode === 200 };
  };
  const done: Completed[] = [];
  backend.begin();
  const result = await openLoop(
    { rate: RATE, durationMs: RUN_MS, maxInFlight: 10, drainMs: 3000 },
    send,
    (c) => done.push(c),
  );
  assert.equal(result.unanswered, 0);
  assert.equal(done.length + result.unsent, DUE, 'every due request answered or counted unsent');
  const slow = done.filter((c) => latencyMs(c) > 500).length;
  const slowSent = done.filter((c) => serviceMs(c) > 500).length;
  const figures = `${done.length} answered, ${result.unsent} unsent; over 500 ms: ${slow} from their due time, ${slowSent} from their send time`;
  // Over a third of the run fell into the stall: their waits run from 1.5 s down to 0.
  assert.ok(slow >= 20, figures);
  // Only the requests on the wire during the stall (10 connections) waited once they were sent.
  assert.ok(slow >= 2 * slowSent, figures);
});

test('a closed loop against the same stall reports only its few stuck requests (why it is not used for latency)', async (t) => {
  const backend = await stallingBackend(t);
  const agent = new Agent({ connections: 10 });
  t.after(() => agent.close());
  const done: Completed[] = [];
  backend.begin();
  await closedLoop(
    { connections: 10, durationMs: RUN_MS, drainMs: 3000 },
    async () => {
      const r = await request(backend.url, { dispatcher: agent });
      await r.body.dump();
      return { label: 'get', status: r.statusCode, ok: true };
    },
    (c) => done.push(c),
  );
  // One stuck request per connection; everything else ran before or after the stall.
  const slow = done.filter((c) => latencyMs(c) > 500).length;
  assert.ok(slow <= 20, `${slow} slow requests`);
  assert.ok(slow / done.length < 0.1, `${slow} of ${done.length} requests slow`);
});
