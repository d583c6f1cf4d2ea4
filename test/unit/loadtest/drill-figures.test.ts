import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  failOnlyWith,
  ledgerClean,
  type Measured,
  noFailures,
  resumes,
} from '../../../loadtest/drills/checks.ts';
import { figures, percentile } from '../../../loadtest/drills/figures.ts';
import type { Outcome } from '../../../loadtest/mixed-load/actions.ts';
import { pickKind } from '../../../loadtest/mixed-load/load.ts';

const o = (at: number, kind: Outcome['kind'], status: number, ms = 10, code = ''): Outcome => ({
  at,
  kind,
  status,
  code,
  ms,
});

const timeline = { faultAt: 1000, healAt: 5000, endAt: 10_000 };

const outcomes: Outcome[] = [
  o(100, 'feed', 200, 20),
  o(500, 'write', 500, 10, 'WEB_ERR_INTERNAL'), // before the fault: baseline
  o(1100, 'write', 503, 3000, 'WEB_ERR_DB_UNAVAILABLE'), // hung until 4100
  o(1200, 'write', 503, 50, 'WEB_ERR_DB_UNAVAILABLE'),
  o(1300, 'feed', 200, 30),
  o(5200, 'write', 0, 600, 'ECONNRESET'), // after the heal: ends at 5800
  o(6000, 'write', 201, 40),
  o(9000, 'write', 201, 40),
  o(9500, 'ryw', 200, 10),
];

test('figures: errors by code, baseline apart, detection and recovery', () => {
  const f = figures(outcomes, timeline, ['write']);
  assert.deepEqual(f.byCode, { '503 WEB_ERR_DB_UNAVAILABLE': 2, '0 ECONNRESET': 1 });
  assert.deepEqual(f.baselineByCode, { '500 WEB_ERR_INTERNAL': 1 });
  assert.equal(f.failed, 3);
  assert.deepEqual(f.failedByKind, { write: 3 });
  assert.equal(f.detectedAfterMs, 3100, 'until the hung write ended');
  assert.equal(f.recoveredAfterMs, 800, 'until the last failure after the heal ended');
  assert.equal(f.recovered, true);
  assert.equal(f.p99AffectedMs, 3000);
});

test('figures: a failure in the quiet tail means not recovered; a stale read-back is a failure', () => {
  const f = figures([...outcomes, o(9600, 'ryw', 404, 10, 'WEB_ERR_POST_NOT_FOUND')], timeline, []);
  assert.equal(f.recovered, false);
  assert.equal(f.failedByKind.ryw, 1);
  assert.equal(f.detectedAfterMs, 0, 'no affected kind hung');
});

test('percentile: nearest rank', () => {
  assert.equal(percentile([], 99), 0);
  assert.equal(percentile([5, 1, 3], 50), 3);
  assert.equal(percentile([1, 2, 3, 4, 100], 99), 100);
});

const measured = (list: Outcome[]): Measured => ({
  outcomes: list,
  timeline,
  figures: figures(list, timeline, ['write']),
  ledger: {
    writes: 2,
    acknowledged: 2,
    committedUnacknowledged: 0,
    lost: [],
    duplicated: [],
    wrongId: [],
    unreadable: [],
    edgeOnly: [],
    thumbnails: [],
    ok: true,
  },
  observed: {},
  users: 6,
});

test('checks: allowed codes, zero failures per kind, resumption, the ledger', () => {
  const m = measured(outcomes);
  assert.equal(
    failOnlyWith(['write'], ['503 WEB_ERR_DB_UNAVAILABLE'])(m).pass,
    false,
    '0 ECONNRESET',
  );
  assert.equal(failOnlyWith(['write'], ['503', '0'])(m).pass, true);
  assert.equal(noFailures(['feed'])(m).pass, true);
  assert.equal(noFailures()(m).pass, false);
  assert.equal(resumes(['write'], 1000)(m).pass, true);
  assert.equal(resumes(['write'], 500)(m).pass, false, 'recovered after 800 ms');
  assert.equal(resumes(['feed'], 1000)(m).pass, false, 'no feed request succeeded after the heal');
  // A slow tail (no write in the last seconds) still shows the resumption: the 6000 ms write.
  const slowTail = measured(outcomes.filter((x) => x.at !== 9000));
  assert.equal(resumes(['write'], 1000)(slowTail).pass, true);
  // A success before the last failure does not count.
  const flapping = measured([...outcomes.filter((x) => x.at < 6000), o(5900, 'write', 201, 10)]);
  assert.equal(resumes(['write'], 1000)(flapping).pass, true, '5900 starts after 5800');
  const early = measured([...outcomes.filter((x) => x.at < 6000), o(5300, 'write', 201, 10)]);
  assert.equal(resumes(['write'], 1000)(early).pass, false, '5300 is before the last failure');
  assert.equal(ledgerClean(m).pass, true);
  assert.equal(
    ledgerClean({ ...m, ledger: { ...m.ledger, lost: ['post x'], ok: false } }).pass,
    false,
  );
});

test('pickKind follows the weights and skips zero weights', () => {
  const mix = { feed: 1, anon: 0, read: 0, write: 3, ryw: 0, cart: 0, login: 0, upload: 0 };
  assert.equal(pickKind(mix, 0), 'feed');
  assert.equal(pickKind(mix, 0.24), 'feed');
  assert.equal(pickKind(mix, 0.26), 'write');
  assert.equal(pickKind(mix, 0.999), 'write');
});
