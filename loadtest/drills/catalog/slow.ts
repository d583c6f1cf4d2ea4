/**
 * Drills of slow and flaky dependencies through the fault proxy (FAULT_PROXY=on): a lagging
 * replica, a slow primary, a Redis that resets connections, a memcached that swallows requests,
 * an object store behind a thin pipe.
 */
import {
  answeredWithin,
  failOnlyWith,
  ledgerClean,
  noFailures,
  readYourWrites,
} from '../checks.ts';
import type { Drill } from '../drill.ts';
import { needsFaultProxy, toxic } from '../faults/toxic.ts';
import { READS, redisOutage } from './common.ts';

export const SLOW_DEPENDENCY_DRILLS: readonly Drill[] = [
  {
    name: 'replica-lag',
    row: 'Replica lagging (1.5 s latency on every reply): reads move away; a user who just wrote reads their own write',
    skip: needsFaultProxy,
    fault: (s) => toxic(s, 'mysql-replica-1', { type: 'latency', attributes: { latency: 1500 } }),
    affected: READS,
    checks: () => [noFailures(), readYourWrites, answeredWithin(READS, 2000), ledgerClean],
  },
  {
    name: 'primary-slow',
    row: 'Primary slow (200 ms ± 50 ms latency both ways): writes slower, never failed; reads unaffected',
    skip: needsFaultProxy,
    fault: (s) =>
      toxic(s, 'mysql-primary', {
        type: 'latency',
        attributes: { latency: 200, jitter: 50 },
      }),
    affected: ['write', 'upload'],
    mix: { write: 3 },
    checks: () => [noFailures(), answeredWithin(['write'], 5000), readYourWrites, ledgerClean],
  },
  {
    name: 'redis-blackhole',
    row: 'Redis swallowing requests (timeout toxic): anonymous pages keep working; logged-in routes answer 503, not 500; all resume',
    skip: needsFaultProxy,
    fault: (s) =>
      toxic(s, 'redis', { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } }),
    ...redisOutage(10_000),
  },
  {
    name: 'memcached-blackhole',
    row: 'memcached swallowing requests: zero 5xx, reads fall back to the database within the cache timeout',
    skip: needsFaultProxy,
    fault: (s) =>
      toxic(s, 'memcached', { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } }),
    affected: READS,
    checks: () => [noFailures(), readYourWrites, answeredWithin(READS, 2000), ledgerClean],
  },
  {
    name: 's3-thin-pipe',
    row: 'Object store behind a 64 KB/s pipe: uploads slower or 503, never 500; everything else unaffected; accepted uploads byte-identical',
    skip: needsFaultProxy,
    fault: (s) =>
      toxic(s, 's3', { type: 'bandwidth', stream: 'upstream', attributes: { rate: 64 } }),
    affected: ['upload'],
    mix: { upload: 2 },
    checks: () => [
      failOnlyWith(['upload'], ['503']),
      noFailures(['feed', 'read', 'anon', 'cart', 'write', 'ryw', 'login']),
      ledgerClean,
    ],
  },
];
