import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetryBudget } from '../../../services/lb/retry/budget.ts';
import { classify, replyFor } from '../../../services/lb/retry/classify.ts';
import {
  decideRetry,
  type RetryInput,
  type RetryVerdict,
} from '../../../services/lb/retry/decide.ts';

const base: RetryInput = {
  failure: 'refused',
  method: 'GET',
  hasBody: false,
  bodyConsumed: false,
  responseStarted: false,
  retries: 0,
  maxRetries: 2,
  budgetAllows: true,
};

const table: [string, Partial<RetryInput>, RetryVerdict][] = [
  ['refused GET', {}, 'retry'],
  ['refused POST with an untouched body', { method: 'POST', hasBody: true }, 'retry'],
  ['connect timeout POST', { failure: 'connect-timeout', method: 'POST', hasBody: true }, 'retry'],
  [
    'refused POST whose body was consumed',
    { method: 'POST', hasBody: true, bodyConsumed: true },
    'body-consumed',
  ],
  ['reset GET', { failure: 'reset' }, 'retry'],
  ['reset HEAD', { failure: 'reset', method: 'HEAD' }, 'retry'],
  ['reset PUT without body', { failure: 'reset', method: 'PUT' }, 'retry'],
  ['reset POST', { failure: 'reset', method: 'POST' }, 'unsafe-method'],
  ['reset PATCH', { failure: 'reset', method: 'PATCH' }, 'unsafe-method'],
  [
    'reset DELETE with a body',
    { failure: 'reset', method: 'DELETE', hasBody: true },
    'unsafe-method',
  ],
  ['reset GET with a body', { failure: 'reset', hasBody: true }, 'unsafe-method'],
  ['headers timeout GET', { failure: 'headers-timeout' }, 'not-retryable'],
  ['body timeout', { failure: 'body-timeout' }, 'not-retryable'],
  ['other error', { failure: 'other' }, 'not-retryable'],
  ['after a response byte', { responseStarted: true }, 'response-started'],
  ['attempts used up', { retries: 2 }, 'attempts-exhausted'],
  ['no budget', { budgetAllows: false }, 'budget-exhausted'],
  ['zero retries configured', { maxRetries: 0 }, 'attempts-exhausted'],
];

for (const [name, patch, expected] of table) {
  test(`retry decision: ${name} → ${expected}`, () => {
    assert.equal(decideRetry({ ...base, ...patch }), expected);
  });
}

const codes: [unknown, string][] = [
  [{ code: 'ECONNREFUSED' }, 'refused'],
  [{ code: 'UND_ERR_CONNECT_TIMEOUT' }, 'connect-timeout'],
  [{ code: 'LB_CONNECT_TIMEOUT' }, 'connect-timeout'],
  [{ code: 'ECONNRESET' }, 'reset'],
  [{ code: 'UND_ERR_SOCKET' }, 'reset'],
  // Raw socket errors that can end an already-written request: never a connect failure.
  [{ code: 'ETIMEDOUT' }, 'reset'],
  [{ code: 'EHOSTUNREACH' }, 'reset'],
  [{ code: 'ENETUNREACH' }, 'reset'],
  [{ code: 'EADDRNOTAVAIL' }, 'refused'],
  [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'headers-timeout'],
  [{ code: 'LB_HEADERS_TIMEOUT' }, 'headers-timeout'],
  [{ code: 'UND_ERR_BODY_TIMEOUT' }, 'body-timeout'],
  [{ code: 'HPE_INVALID_CONSTANT' }, 'other'],
  [new Error('x'), 'other'],
  [null, 'other'],
];
for (const [error, failure] of codes) {
  test(`classify ${JSON.stringify(error)} → ${failure}`, () =>
    assert.equal(classify(error), failure));
}

// From the socket error to the verdict: a bodyless POST is never sent twice on a raw socket error.
const endToEnd: [string, string, RetryVerdict][] = [
  ['ETIMEDOUT', 'POST', 'unsafe-method'],
  ['EHOSTUNREACH', 'POST', 'unsafe-method'],
  ['ENETUNREACH', 'POST', 'unsafe-method'],
  ['ETIMEDOUT', 'GET', 'retry'],
  ['EHOSTUNREACH', 'GET', 'retry'],
  ['ENETUNREACH', 'GET', 'retry'],
  ['ECONNREFUSED', 'POST', 'retry'],
  ['UND_ERR_CONNECT_TIMEOUT', 'POST', 'retry'],
  ['LB_CONNECT_TIMEOUT', 'POST', 'retry'],
];
for (const [code, method, expected] of endToEnd) {
  test(`retry decision: ${code} on a bodyless ${method} → ${expected}`, () => {
    assert.equal(decideRetry({ ...base, failure: classify({ code }), method }), expected);
  });
}

test('status mapping: refused 503, reset 502, timeouts 504, codes are stable', () => {
  assert.deepEqual(
    (['refused', 'connect-timeout', 'reset', 'headers-timeout', 'other'] as const).map((f) => [
      replyFor(f).status,
      replyFor(f).code,
    ]),
    [
      [503, 'LB_ERR_UPSTREAM_UNAVAILABLE'],
      [503, 'LB_ERR_UPSTREAM_UNAVAILABLE'],
      [502, 'LB_ERR_UPSTREAM_RESET'],
      [504, 'LB_ERR_UPSTREAM_TIMEOUT'],
      [502, 'LB_ERR_BAD_GATEWAY'],
    ],
  );
});

test('retry budget: at least the minimum, then a share of requests in flight', () => {
  const budget = new RetryBudget(20, 2);
  for (let i = 0; i < 10; i++) budget.requestStarted();
  assert.equal(budget.tryAcquire(), true);
  assert.equal(budget.tryAcquire(), true);
  assert.equal(budget.tryAcquire(), false, '10 in flight × 20 % = 2, min 2');
  for (let i = 0; i < 10; i++) budget.requestStarted();
  assert.equal(budget.tryAcquire(), true, '20 in flight × 20 % = 4');
  budget.retryFinished();
  budget.retryFinished();
  assert.equal(budget.retrying, 1);
});
