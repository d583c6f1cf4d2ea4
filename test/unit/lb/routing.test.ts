import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRouter, prefixMatches } from '../../../services/lb/routing/match.ts';
import { parseRoutes } from '../../../services/lb/routing/rules.ts';
import { READ_API_RULE, WRITE_API_RULE } from '../../../services/shared/topology/routes.ts';

const prefixes: [string, string, boolean][] = [
  ['/api/posts', '/api/posts', true],
  ['/api/posts/1', '/api/posts', true],
  ['/api/posts?x=1', '/api/posts', true],
  ['/api/postsx', '/api/posts', false],
  ['/api/post', '/api/posts', false],
  ['/api/users/5/posts', '/api/users/', true],
  ['/api/users', '/api/users/', false],
  ['/', '/', true],
];
for (const [path, prefix, ok] of prefixes) {
  test(`prefix ${prefix} ${ok ? 'matches' : 'does not match'} ${path}`, () => {
    assert.equal(prefixMatches(path, prefix), ok);
  });
}

const pools = ['web', 'read-api', 'write-api'];
const router = createRouter(parseRoutes(`${READ_API_RULE};${WRITE_API_RULE}`) ?? [], pools, 'web');
const routes: [string, string, string][] = [
  ['GET', '/api/posts/1', 'read-api'],
  ['HEAD', '/api/feed', 'read-api'],
  ['GET', '/api/users/7/posts', 'read-api'],
  ['POST', '/api/users', 'web'],
  ['POST', '/api/posts', 'write-api'],
  ['DELETE', '/api/media/3', 'write-api'],
  ['GET', '/api/cart', 'web'],
  ['POST', '/api/sessions', 'web'],
  ['GET', '/', 'web'],
  ['GET', '/api/feedback', 'web'],
];
for (const [method, path, pool] of routes) {
  test(`the stack's routes send ${method} ${path} to ${pool}`, () => {
    assert.equal(pools[router.route(method, path)], pool);
  });
}

test('empty LB_ROUTES sends everything to the default pool', () => {
  const r = createRouter(parseRoutes('') ?? [], ['web'], 'web');
  assert.equal(r.route('POST', '/api/posts'), 0);
});

const parsing: [string, boolean][] = [
  ['read-api=GET,HEAD:/api/posts,/api/feed', true],
  ['read-api=/api/posts', true],
  ['read-api=*:/api/posts', true],
  ['read-api=get:/api/posts', true],
  ['read-api=GET:api/posts', false],
  ['read-api=GET:', false],
  ['=GET:/x', false],
  ['Read=GET:/x', false],
  ['read-api', false],
];
for (const [raw, ok] of parsing) {
  test(`LB_ROUTES ${JSON.stringify(raw)} is ${ok ? 'valid' : 'rejected'}`, () => {
    assert.equal(parseRoutes(raw) !== undefined, ok);
  });
}

test('a rule naming an unknown pool is a configuration error', () => {
  assert.throws(() => createRouter(parseRoutes('nope=/x') ?? [], ['web'], 'web'));
});
