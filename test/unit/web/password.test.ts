import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkLogin,
  hashPassword,
  parseHash,
  verifyPassword,
} from '../../../services/web/auth/password.ts';

const COST = 10;

test('hashes verify, carry their parameters, and are salted', async () => {
  const a = await hashPassword('correct horse', COST);
  const b = await hashPassword('correct horse', COST);
  assert.notEqual(a, b);
  assert.equal(parseHash(a)?.cost, COST);
  assert.ok(await verifyPassword('correct horse', a));
  assert.equal(await verifyPassword('correct horsf', a), false);
  assert.ok(
    await verifyPassword('caf\u00e9 password', await hashPassword('cafe\u0301 password', COST)),
    'unicode is normalised',
  );
});

test('malformed stored hashes never verify', async () => {
  for (const bad of [
    '',
    'scrypt$10$8$1',
    'bcrypt$10$8$1$AAAAAAAAAAA=$AAAA',
    `scrypt$99$8$1$AAAAAAAAAAA=$${'A'.repeat(44)}`,
    'scrypt$x$8$1$a$b',
  ]) {
    assert.equal(parseHash(bad), undefined, bad);
    assert.equal(await verifyPassword('x', bad), false);
  }
});

test('unknown users fail after a full verification against the decoy', async () => {
  const decoy = await hashPassword('decoy', COST);
  const real = await hashPassword('secret-pw', COST);
  assert.equal(
    await checkLogin('decoy', undefined, decoy),
    false,
    'even the decoy password does not log in',
  );
  assert.equal(await checkLogin('secret-pw', real, decoy), true);
  assert.equal(await checkLogin('wrong', real, decoy), false);
});
