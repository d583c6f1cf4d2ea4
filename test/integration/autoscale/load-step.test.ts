/**
 * Stage 5 natively (AUTOSCALE=on), as `make local STAGE=5` starts it with a smaller data tier (no
 * replicas, no memcached, no CDN: fewer processes on 2 cores; the web pool is what is scaled). The
 * autoscaler runs its defaults (in-flight requests, target 4 per server, 1–4 servers, at most 2 per
 * decision) except the scale-in stabilisation window and cooldown, 10 s instead of 120 s and 60 s,
 * so the step down fits in CI (test/unit/autoscaler/ covers the defaults).
 *
 * A load step up (12 closed loops on the entry: 12 requests in flight against one server) makes
 * the runner start servers: the pool's member file and the LB's rotation follow. A step down (2
 * loops, kept running) makes it remove them again: each is taken out of the LB first and stopped
 * after, no request of the step-down load fails, and browsers whose sticky cookie named a server
 * that left are served by another one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closedLoop } from '../../../loadtest/core/engine.ts';
import { exchange, makeAgent } from '../../../loadtest/core/http.ts';
import { startStack } from '../../../runner/stack/api.ts';
import { scaledPools } from '../../../runner/stack/control.ts';
import { Client } from '../../support/http.ts';
import { baseStackEnv, serviceOf } from '../../support/stack.ts';

const STAGE_5 = {
  STAGE: '5',
  WEB_REPLICAS: '1',
  READ_API_REPLICAS: '0',
  WRITE_API_REPLICAS: '0',
  DB_REPLICAS: '0',
  READ_FROM: 'primary',
  CACHE: 'off',
  CDN: 'off',
  // CI-sized scale-in (see above); every other autoscaler setting is the default.
  AUTOSCALE_STABILISATION_S: '10',
  AUTOSCALE_SCALE_IN_COOLDOWN_S: '10',
};

interface LbBackend {
  readonly address: string;
  readonly up: boolean;
  readonly requests: number;
}

test('a load step adds web servers and the LB follows; a step down removes them with no failed request', async (t) => {
  const stackDir = mkdtempSync(join(tmpdir(), 'scaling-lab-as-'));
  const stack = await startStack({
    env: { ...baseStackEnv(), ...STAGE_5 },
    stackDir,
    portBase: 'auto',
  });
  t.after(async () => {
    await stack.stop();
    rmSync(stackDir, { recursive: true, force: true });
  });
  const lb = serviceOf(stack.info, 'lb');
  const statsUrl = `http://${lb.host}:${lb.ports.admin}/stats.json`;
  const rotation = async (): Promise<LbBackend[]> => {
    const stats = (await (await fetch(statsUrl)).json()) as {
      pools: { name: string; backends: LbBackend[] }[];
    };
    return stats.pools.find((p) => p.name === 'web')?.backends ?? [];
  };
  const members = async () =>
    (await scaledPools(stack.stackFile)).find((p) => p.pool === 'web')?.members ?? [];
  assert.deepEqual(await members(), ['web-1'], 'starts with one server');
  assert.equal(stack.info.pools[0]?.slots, 4, 'AUTOSCALE_MAX slots planned');
  assert.equal(serviceOf(stack.info, 'web-2').state, 'stopped', 'standby until asked for');

  const ca = readFileSync(join(lb.dataDir, 'dev-cert.pem'), 'utf8');
  const agent = makeAgent(16, ca, 10_000);
  t.after(() => agent.close());
  const entry = stack.info.entry ?? '';
  const outcomes = { ok: 0, failed: [] as string[] };
  const send = async () => {
    const r = await exchange(agent, entry, { label: 'feed', method: 'GET', path: '/api/feed' });
    return { label: 'feed', status: r.status, ok: r.status < 400 };
  };
  const count = (c: { ok: boolean; status: number; label: string }) => {
    if (c.ok) outcomes.ok++;
    else outcomes.failed.push(`${c.label} ${c.status}`);
  };
  /** Closed-loop load in 2-s rounds until `done` holds (or the bound). */
  const loadUntil = async (connections: number, done: () => Promise<boolean>, boundMs: number) => {
    const end = Date.now() + boundMs;
    while (Date.now() < end) {
      await closedLoop({ connections, durationMs: 2000, drainMs: 10_000 }, send, count);
      if (await done()) return true;
    }
    return false;
  };

  // Step up: 12 in flight on one server is 3× the target; the policy asks for 3 servers (≤ 2 more).
  const out = await loadUntil(12, async () => (await members()).length >= 3, 45_000);
  assert.ok(out, `scaled out to ${(await members()).join(',')}`);
  const grown = await members();
  assert.deepEqual(grown.slice(0, 3), ['web-1', 'web-2', 'web-3']);
  // A server is listed as a member once ready, then the LB re-reads the member file (every
  // second) and marks it up: wait for that, bounded, as the runner itself does (lbFollowed).
  const addresses = grown.map((n) => {
    const s = serviceOf(stack.info, n);
    return `${s.host}:${s.ports.http}`;
  });
  const upNow = async () => (await rotation()).filter((b) => b.up).map((b) => b.address);
  for (let end = Date.now() + 10_000; Date.now() < end; ) {
    const up = await upNow();
    if (addresses.every((a) => up.includes(a))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const upAfterOut = await upNow();
  for (const name of grown) {
    const s = serviceOf(stack.info, name);
    assert.equal(s.state, 'running', name);
    assert.ok(upAfterOut.includes(`${s.host}:${s.ports.http}`), `${name} in the LB's rotation`);
    assert.match(
      readFileSync(stack.info.pools[0]?.memberFile ?? '', 'utf8'),
      new RegExp(`${s.host}:${s.ports.http}`),
    );
  }

  // Browsers with the LB's sticky cookie, spread over the three servers (round robin).
  const browsers = Array.from({ length: 6 }, () => new Client(entry, { ca }));
  for (const b of browsers) assert.equal((await b.get('/api/feed')).status, 200);
  assert.ok(
    browsers.every((b) => b.cookies.size > 0),
    'each holds a sticky cookie',
  );
  const pinned = browsers.map((b) => JSON.stringify([...b.cookies]));

  // Step down: 2 in flight over 3 servers is well under the target; keep the load on while they go.
  outcomes.ok = 0;
  outcomes.failed = [];
  // What the leaving servers served while the step-down load ran (they answer it until removed).
  const servedAt = new Map((await rotation()).map((b) => [b.address, b.requests]));
  const servedDuring = new Map<string, number>();
  const down = await loadUntil(
    2,
    async () => {
      for (const b of await rotation())
        servedDuring.set(b.address, b.requests - (servedAt.get(b.address) ?? 0));
      const gone = grown.slice(1).every((n) => serviceOf(stack.info, n).state === 'stopped');
      return (await members()).length === 1 && gone;
    },
    45_000,
  );
  assert.ok(down, `scaled in to ${(await members()).join(',')}`);
  const after = await rotation();
  assert.deepEqual(
    after.map((b) => b.address),
    [`${serviceOf(stack.info, 'web-1').host}:${serviceOf(stack.info, 'web-1').ports.http}`],
    'the LB dropped the removed servers',
  );
  for (const name of grown.filter((n) => n !== 'web-1')) {
    const s = serviceOf(stack.info, name);
    assert.equal(s.state, 'stopped', `${name} stopped`);
    assert.equal(s.pid, null);
    const served = servedDuring.get(`${s.host}:${s.ports.http}`) ?? 0;
    assert.ok(served > 0, `${name} took part of the step-down load before it left (${served})`);
  }
  assert.ok(outcomes.ok > 50, `the step-down load ran (${outcomes.ok} answered)`);
  // A sticky session on a server that left is redispatched, not failed.
  for (const b of browsers) assert.equal((await b.get('/api/feed')).status, 200);
  const repinned = browsers.filter((b, i) => JSON.stringify([...b.cookies]) !== pinned[i]);
  assert.ok(repinned.length > 0, 'browsers pinned to a server that left got a new sticky cookie');
  assert.ok(repinned.length < browsers.length, 'browsers pinned to web-1 kept theirs');
  assert.deepEqual(outcomes.failed, [], 'no request failed during scale-in');
});
