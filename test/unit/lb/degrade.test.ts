import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFallbacks } from '../../../services/lb/config/fallbacks.ts';
import { loadLbConfig } from '../../../services/lb/config/load.ts';
import {
  keepFromSharedCaches,
  sharedCacheMayStore,
} from '../../../services/lb/headers/shared-cache.ts';
import {
  type BackendHealth,
  poolState,
  routableIn,
} from '../../../services/lb/pools/pool-state.ts';
import { Registry } from '../../../services/lb/pools/registry.ts';
import { routingOf, servingPool } from '../../../services/lb/pools/routing.ts';
import { ConfigError } from '../../../services/shared/config/env.ts';
import { LB_HEALTH_DEFAULTS, noticeTimeMs } from '../../../services/shared/lb-health.ts';

const b = (up: boolean, reachable: boolean, weight = 1): BackendHealth => ({
  up,
  reachable,
  weight,
});

const modes: [string, BackendHealth[], number, string, number][] = [
  ['all healthy', [b(true, true), b(true, true)], 50, 'normal', 2],
  ['half healthy is not below 50 %', [b(true, true), b(false, true)], 50, 'normal', 1],
  ['one of three healthy: panic', [b(true, true), b(false, true), b(false, true)], 50, 'panic', 1],
  ['none healthy, some answer: panic', [b(false, true), b(false, false)], 50, 'panic', 0],
  ['none answers: down', [b(false, false), b(false, false)], 50, 'down', 0],
  ['threshold 0: never panic', [b(false, true), b(false, true)], 0, 'down', 0],
  ['weight 0 does not count', [b(true, true), b(false, true, 0)], 50, 'normal', 1],
  ['an empty pool is down', [], 50, 'down', 0],
];
for (const [name, backends, percent, mode, healthy] of modes) {
  test(`pool state: ${name}`, () => {
    assert.deepEqual(poolState(backends, percent), { mode, healthy });
  });
}

test('routable: healthy ones; in panic also the ones that answer; never the ones that refuse', () => {
  assert.equal(routableIn('normal', b(false, true)), false);
  assert.equal(routableIn('panic', b(false, true)), true);
  assert.equal(routableIn('panic', b(false, false)), false);
  assert.equal(routableIn('down', b(true, true)), true);
});

const registryOf = (fallbacks: string) =>
  new Registry(
    loadLbConfig({
      STICKY: 'off',
      LB_POOLS: 'web=127.0.0.31:3000,127.0.0.32:3000;api=127.0.0.41:3000',
      LB_POOL_FALLBACK: fallbacks,
    }),
  );

test('fallback: an API pool with no healthy backend is served by the web pool', () => {
  const registry = registryOf('api=web');
  for (const pool of registry.pools)
    registry.syncMembers(
      pool.name,
      pool.name === 'web'
        ? [
            { host: '127.0.0.31', port: 3000, weight: 1 },
            { host: '127.0.0.32', port: 3000, weight: 1 },
          ]
        : [{ host: '127.0.0.41', port: 3000, weight: 1 }],
    );
  const [web, api] = [registry.pool('web'), registry.pool('api')];
  assert.ok(web && api);
  const seen: string[] = [];
  registry.onRouting((p, from, to) => seen.push(`${p.name} ${from}→${to}`));
  for (const x of registry.all())
    registry.setHealth(x, { up: true, fresh: false, passes: 1, fails: 0 }, null, true);
  assert.equal(servingPool(api), api);
  const [apiBackend] = api.backends;
  assert.ok(apiBackend);
  registry.applyState(apiBackend, false, false);
  assert.equal(servingPool(api), web, 'refusing connections: the fallback serves');
  assert.equal(routingOf(api), 'fallback');
  registry.applyState(apiBackend, false, true);
  assert.equal(servingPool(api), web, 'answering but unhealthy: the healthy fallback still wins');
  for (const x of web.backends) registry.applyState(x, false, true);
  assert.equal(servingPool(api), api, 'no healthy fallback: the pool panics on its own');
  assert.equal(routingOf(api), 'panic');
  assert.deepEqual(seen, [
    'web down→normal',
    'api fallback→normal',
    'api normal→fallback',
    'web normal→panic',
    'api fallback→panic',
  ]);
});

test('LB_POOL_FALLBACK parses pairs and refuses nonsense', () => {
  assert.deepEqual(parseFallbacks('read-api=web;write-api=web'), {
    'read-api': 'web',
    'write-api': 'web',
  });
  assert.deepEqual(parseFallbacks(''), {});
  for (const bad of ['web=web', 'a=b;a=c', 'a', 'a=b=c', 'A=b'])
    assert.equal(parseFallbacks(bad), undefined, bad);
  assert.throws(
    () => loadLbConfig({ STICKY: 'off', LB_POOLS: 'web=127.0.0.1:1', LB_POOL_FALLBACK: 'api=web' }),
    (e: unknown) => e instanceof ConfigError && /LB_POOL_FALLBACK names pool api/.test(e.message),
  );
});

test('admission and TLS defaults: bounded queues with a deadline, Mozilla intermediate', () => {
  const c = loadLbConfig({ STICKY: 'off', LB_POOLS: 'web=127.0.0.1:1' });
  assert.deepEqual(c.admission, {
    backendMaxConnections: 64,
    backendMaxQueue: 64,
    poolMaxQueue: 256,
    queueTimeoutMs: 5000,
    maxClientConnections: 4096,
  });
  assert.equal(c.health.panicThresholdPercent, 50);
  assert.doesNotMatch(c.tlsSettings.ciphers, /CBC|-SHA(:|$)|SHA256:ECDHE.*-SHA256$/);
  for (const suite of c.tlsSettings.ciphers.split(':'))
    assert.match(suite, /GCM|CHACHA20/, `${suite} is an AEAD cipher`);
  assert.throws(
    () => loadLbConfig({ STICKY: 'off', LB_POOLS: 'web=127.0.0.1:1', LB_TLS_CIPHERS: 'NOPE' }),
    (e: unknown) => e instanceof ConfigError && /LB_TLS_CIPHERS=NOPE/.test(e.message),
  );
});

test('a web server drains longer than the LB needs to notice it', () => {
  const worst =
    LB_HEALTH_DEFAULTS.intervalMs * LB_HEALTH_DEFAULTS.fall + LB_HEALTH_DEFAULTS.timeoutMs;
  assert.ok(noticeTimeMs(LB_HEALTH_DEFAULTS) > worst);
  assert.equal(noticeTimeMs(LB_HEALTH_DEFAULTS), 4000);
});

const storable: [string, string[], number, boolean][] = [
  ['public max-age', ['cache-control', 'public, max-age=31536000, immutable'], 200, true],
  ['max-age only', ['cache-control', 'max-age=300'], 200, true],
  ['s-maxage', ['Cache-Control', 's-maxage=60'], 200, true],
  ['no-store', ['cache-control', 'no-store'], 200, false],
  ['private', ['cache-control', 'private, max-age=60'], 200, false],
  ['no-cache', ['cache-control', 'no-cache'], 200, false],
  ['Expires', ['expires', 'Thu, 01 Dec 2044 16:00:00 GMT'], 200, true],
  ['Last-Modified on a 200', ['last-modified', 'Thu, 01 Dec 2024 16:00:00 GMT'], 200, true],
  ['Last-Modified on a 201', ['last-modified', 'Thu, 01 Dec 2024 16:00:00 GMT'], 201, false],
  ['nothing (an API answer)', ['content-type', 'application/json'], 200, false],
];
for (const [name, headers, status, expected] of storable) {
  test(`shared cache may store: ${name} → ${expected}`, () => {
    assert.equal(sharedCacheMayStore(headers, status), expected);
  });
}

test('insert nocache: a storable response becomes private, keeping what browsers use', () => {
  const out = ['content-type', 'image/png', 'cache-control', 'public, max-age=31536000, immutable'];
  keepFromSharedCaches(out, 200);
  assert.deepEqual(out, [
    'content-type',
    'image/png',
    'cache-control',
    'private, max-age=31536000, immutable',
  ]);
  const api = ['content-type', 'application/json'];
  keepFromSharedCaches(api, 200);
  assert.deepEqual(api, ['content-type', 'application/json'], 'untouched');
});
