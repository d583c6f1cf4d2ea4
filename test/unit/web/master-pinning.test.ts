import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DbUnavailableError, downBeforeSending } from '../../../services/shared/db/errors.ts';
import { loadWebConfig } from '../../../services/web/config.ts';
import {
  masterIsUp,
  nextAvailability,
  positionIn,
} from '../../../services/web/db/master-health.ts';
import { chooseMaster, homeMaster, mix64 } from '../../../services/web/db/master-pin.ts';
import { isReady } from '../../../services/web/plugins/health.ts';

test('a user always has the same home master, and users spread over both', () => {
  for (const id of [1n, 2n, 3n, 999n, 2n ** 62n])
    assert.equal(homeMaster(id, 2), homeMaster(id, 2), String(id));
  // Ids made by one master are all odd: the hash, not the parity, spreads them.
  const odd = Array.from({ length: 2000 }, (_, i) => BigInt(2 * i + 1));
  const onSecond = odd.filter((id) => homeMaster(id, 2) === 1).length;
  assert.ok(onSecond > 900 && onSecond < 1100, `${onSecond} of 2000 odd ids on master 2`);
  const even = Array.from({ length: 2000 }, (_, i) => BigInt(2 * i + 2));
  const evenOnSecond = even.filter((id) => homeMaster(id, 2) === 1).length;
  assert.ok(evenOnSecond > 900 && evenOnSecond < 1100, `${evenOnSecond} of 2000 even ids`);
  assert.notEqual(mix64(1n), mix64(2n));
  assert.ok(mix64(2n ** 64n + 5n) === mix64(5n), 'wraps at 64 bits');
});

test('chooseMaster: home while it is up, the other while it is down, home when none is', () => {
  const cases: [number, boolean[], number][] = [
    [0, [true, true], 0],
    [1, [true, true], 1],
    [0, [false, true], 1],
    [1, [true, false], 0],
    [0, [false, false], 0],
    [1, [false, false], 1],
  ];
  for (const [home, up, want] of cases)
    assert.equal(chooseMaster(home, up), want, `${home} ${JSON.stringify(up)}`);
});

test('masterIsUp: breaker, a refused probe, and silence past the window each mean down', () => {
  const window = 2000;
  const answered = { lastAnswerAt: 10_000, since: 0, lastFailed: false };
  assert.equal(masterIsUp(answered, false, 11_000, window), true);
  assert.equal(masterIsUp(answered, true, 11_000, window), false, 'breaker open');
  assert.equal(masterIsUp({ ...answered, lastFailed: true }, false, 10_100, window), false);
  assert.equal(masterIsUp(answered, false, 12_000, window), false, 'silent for the window');
  assert.equal(masterIsUp(answered, false, 11_999, window), true, 'just inside it');
  const fresh = { lastAnswerAt: undefined, since: 5000, lastFailed: false };
  assert.equal(masterIsUp(fresh, false, 6000, window), true, 'not judged before the window');
  assert.equal(masterIsUp(fresh, false, 7000, window), false);
});

test('the write API is ready while either master answers', () => {
  assert.equal(isReady('write', { 'db:primary': 'down', 'db:primary-2': 'up' }), true);
  assert.equal(isReady('write', { 'db:primary': 'up', 'db:primary-2': 'down' }), true);
  assert.equal(isReady('write', { 'db:primary': 'down', 'db:primary-2': 'down' }), false);
  assert.equal(isReady('write', { 'db:primary': 'down', 'db:replica-1': 'up' }), false);
});

test('web config: master-master needs MYSQL_PRIMARY_2; the detection settings are bounded', () => {
  const base = {
    MYSQL_PRIMARY: '127.0.0.1:3306',
    MYSQL_PASSWORD: 'secret-password',
    STAGE: '1',
    DB_TOPOLOGY: 'master-master',
  };
  assert.throws(
    () => loadWebConfig(base),
    /MYSQL_PRIMARY_2 is required when DB_TOPOLOGY=master-master/,
  );
  const ok = loadWebConfig({ ...base, MYSQL_PRIMARY_2: '127.0.0.2:3306' });
  assert.deepEqual(ok.MYSQL_PRIMARY_2, { host: '127.0.0.2', port: 3306 });
  assert.equal(ok.DB_MASTER_DOWN_AFTER_MS, 2000);
  assert.throws(
    () =>
      loadWebConfig({ ...base, MYSQL_PRIMARY_2: '127.0.0.2:3306', DB_MASTER_DOWN_AFTER_MS: '5' }),
    /DB_MASTER_DOWN_AFTER_MS/,
  );
});

test('only a server that was down before anything was sent lets another take the write', () => {
  const cases: [unknown, boolean][] = [
    [new DbUnavailableError('primary-2', 'down', 'no connection', { unsent: true }), true],
    [new DbUnavailableError('primary-2', 'down', 'circuit open', { unsent: true }), true],
    // Sent, then the connection broke: it may have committed; never written twice.
    [new DbUnavailableError('primary-2', 'down', 'query failed'), false],
    // Busy is overload, not an outage: it stays on the user's master.
    [
      new DbUnavailableError('primary-2', 'busy', 'no connection within 2000 ms', { unsent: true }),
      false,
    ],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), false],
  ];
  for (const [error, want] of cases)
    assert.equal(downBeforeSending(error), want, (error as Error).message);
});

test('failback waits until the returned master has what the other one wrote meanwhile', () => {
  assert.equal(positionIn('0-1-50,2-10-30', 2), '2-10-30', 'only the domain named');
  assert.equal(positionIn('0-1-50, 2-10-30,2-11-4', 2), '2-10-30,2-11-4');
  assert.equal(positionIn('0-1-50', 2), '', 'nothing written there yet');
  assert.equal(positionIn('20-1-5', 2), '', 'domain 20 is not domain 2');
  const up = { up: true, recovering: false };
  const down = nextAvailability(up, false, true);
  assert.deepEqual(down, { up: false, recovering: true }, 'down');
  assert.deepEqual(nextAvailability(down, true, false), down, 'answers, behind: still not used');
  assert.deepEqual(nextAvailability(down, true, true), up, 'answers and caught up: used again');
  assert.deepEqual(nextAvailability(up, true, false), up, 'never down: lag alone moves nobody');
});
