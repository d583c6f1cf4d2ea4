import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backendToken,
  cookieNameFor,
  cookieSuffix,
  isWellFormedToken,
  splitCookie,
} from '../../../services/lb/sticky/codec.ts';

test('a token is opaque, stable and depends on the secret, pool and address', () => {
  const t = backendToken('s'.repeat(32), 'web', '127.0.0.31:3000');
  assert.ok(isWellFormedToken(t));
  assert.equal(t, backendToken('s'.repeat(32), 'web', '127.0.0.31:3000'));
  assert.doesNotMatch(t, /127|3000/);
  assert.notEqual(t, backendToken('t'.repeat(32), 'web', '127.0.0.31:3000'));
  assert.notEqual(t, backendToken('s'.repeat(32), 'read-api', '127.0.0.31:3000'));
  assert.notEqual(t, backendToken('s'.repeat(32), 'web', '127.0.0.32:3000'));
});

const wellFormed: [string, boolean][] = [
  ['AAAAAAAAAAAAAAAAAAAAAA', true],
  ['abc-_DEF0123456789xyzQ', true],
  ['short', false],
  ['AAAAAAAAAAAAAAAAAAAAAAA', false],
  ['AAAAAAAAAAAAAAAAAAAA==', false],
  ['127.0.0.1:3000AAAAAAAA', false],
  ['', false],
];
for (const [value, ok] of wellFormed) {
  test(`token format: ${JSON.stringify(value)} → ${ok}`, () =>
    assert.equal(isWellFormedToken(value), ok));
}

const splits: [string, string | undefined, string][] = [
  ['', undefined, ''],
  ['a=1', undefined, 'a=1'],
  ['lb_srv=TOKEN', 'TOKEN', ''],
  ['a=1; lb_srv=TOKEN; b=2', 'TOKEN', 'a=1; b=2'],
  ['lb_srv=ONE; lb_srv=TWO', 'ONE', ''],
  ['a=1;lb_srv=T;b=2', 'T', 'a=1; b=2'],
  ['xlb_srv=T; a=1', undefined, 'xlb_srv=T; a=1'],
  ['lb_srv_read_api=R; lb_srv=W', 'W', 'lb_srv_read_api=R'],
];
for (const [header, value, rest] of splits) {
  test(`splitCookie(${JSON.stringify(header)})`, () => {
    assert.deepEqual(splitCookie(header, 'lb_srv='), { value, rest });
  });
}

test('cookie names per pool and attributes', () => {
  assert.equal(cookieNameFor('lb_srv', 'web', 'web'), 'lb_srv');
  assert.equal(cookieNameFor('lb_srv', 'read-api', 'web'), 'lb_srv_read_api');
  assert.equal(
    cookieSuffix({ secure: true, maxAge: 0 }),
    '; Path=/; HttpOnly; SameSite=Lax; Secure',
  );
  assert.equal(
    cookieSuffix({ secure: false, maxAge: 60 }),
    '; Path=/; HttpOnly; SameSite=Lax; Max-Age=60',
  );
});
