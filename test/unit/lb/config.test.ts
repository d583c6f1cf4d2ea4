import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadLbConfig } from '../../../services/lb/config/load.ts';
import { parsePools, parseTarget } from '../../../services/lb/config/pools.ts';
import { ConfigError } from '../../../services/shared/config/env.ts';

const targets: [string, unknown][] = [
  ['127.0.0.31:3000', { kind: 'static', host: '127.0.0.31', port: 3000, weight: 1 }],
  ['127.0.0.31:3000*5', { kind: 'static', host: '127.0.0.31', port: 3000, weight: 5 }],
  ['web-1.internal:80*0', { kind: 'static', host: 'web-1.internal', port: 80, weight: 0 }],
  ['[::1]:3000*2', { kind: 'static', host: '::1', port: 3000, weight: 2 }],
  ['dns:web:3000', { kind: 'dns', name: 'web', port: 3000, weight: 1 }],
  ['dns:web:3000*3', { kind: 'dns', name: 'web', port: 3000, weight: 3 }],
  ['127.0.0.31', undefined],
  ['127.0.0.31:0', undefined],
  ['127.0.0.31:70000', undefined],
  ['127.0.0.31:3000*257', undefined],
  ['127.0.0.31:3000*-1', undefined],
  ['127.0.0.31:3000*', undefined],
  ['dns::3000', undefined],
  ['a b:1', undefined],
];
for (const [raw, expected] of targets) {
  test(`target ${JSON.stringify(raw)}`, () => assert.deepEqual(parseTarget(raw), expected));
}

test('LB_POOLS in the plan formats (native and compose)', () => {
  assert.deepEqual(
    parsePools('web=127.0.0.31:20101,127.0.0.32:20102;read-api=127.0.0.71:20141')?.map((p) => [
      p.name,
      p.targets.length,
    ]),
    [
      ['web', 2],
      ['read-api', 1],
    ],
  );
  assert.equal(parsePools('web=dns:web:3000;read-api=dns:read-api:3000')?.length, 2);
  for (const bad of ['', 'web=', 'web=a:1;web=b:1', 'web:a:1', 'WEB=a:1'])
    assert.equal(parsePools(bad), undefined, bad);
});

const env = {
  LB_POOLS: 'web=127.0.0.31:3000',
  STICKY: 'off',
};

test('defaults: undici engine, one worker, TLS on, backend keep-alive below 72 s', () => {
  const c = loadLbConfig(env);
  assert.equal(c.engine, 'undici');
  assert.equal(c.workers, 1);
  assert.equal(c.tls, true);
  assert.ok(c.timeouts.backendKeepAliveMs < 72_000);
  assert.equal(c.health.path, '/health/ready');
  assert.equal(c.defaultPool, 'web');
});

test('flags come from the shared flags module', () => {
  const c = loadLbConfig({
    ...env,
    LB_ALGORITHM: 'p2c',
    STICKY: 'cookie',
    LB_STICKY_SECRET: 'x'.repeat(16),
  });
  assert.equal(c.algorithm, 'p2c');
  assert.equal(c.sticky.enabled, true);
  assert.equal(c.sticky.secret, 'x'.repeat(16));
});

test('one ConfigError names every bad variable', () => {
  try {
    loadLbConfig({
      LB_POOLS: 'web=nope',
      LB_ENGINE: 'nginx',
      LB_BACKEND_KEEPALIVE_MS: '80000',
      LB_ROUTES: 'x=GET:/a',
      STICKY: 'cookie',
    });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const text = error.problems.join('\n');
    assert.match(text, /LB_POOLS/);
    assert.match(text, /LB_ENGINE/);
  }
  try {
    loadLbConfig({
      ...env,
      LB_BACKEND_KEEPALIVE_MS: '80000',
      LB_ROUTES: 'x=GET:/a',
      STICKY: 'cookie',
    });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const text = error.problems.join('\n');
    assert.match(text, /LB_BACKEND_KEEPALIVE_MS/);
    assert.match(text, /LB_ROUTES names pool x/);
    assert.match(text, /LB_STICKY_SECRET_FILE/);
  }
});

test('member files: the target and the list it holds', async () => {
  const { parseMemberList } = await import('../../../services/lb/config/pools.ts');
  assert.deepEqual(parseTarget('file:/stack/lb/web.members'), {
    kind: 'file',
    path: '/stack/lb/web.members',
  });
  for (const bad of ['file:relative/path', 'file:', 'file:/with space'])
    assert.equal(parseTarget(bad), undefined, bad);
  assert.deepEqual(
    parseMemberList('# comment\n127.0.0.31:8100\n\n127.0.0.32:8101*3 # two\ngarbage\ndns:x:1\n'),
    [
      { host: '127.0.0.31', port: 8100, weight: 1 },
      { host: '127.0.0.32', port: 8101, weight: 3 },
    ],
  );
  assert.equal(parsePools('web=file:/s/web.members;read-api=127.0.0.71:1')?.length, 2);
});
