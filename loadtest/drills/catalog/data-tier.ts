/** Drills of the data tier: MariaDB primary and replicas, Redis, memcached, the object store. */
import {
  answeredWithin,
  detectedWithin,
  failOnlyWith,
  ledgerClean,
  noFailures,
  observedWithin,
  readYourWrites,
  resumes,
} from '../checks.ts';
import type { Drill } from '../drill.ts';
import { outage, pause } from '../faults/process.ts';
import { freshFeed } from '../probes.ts';
import { has, READS, redisOutage, WRITES } from './common.ts';

export const DATA_TIER_DRILLS: readonly Drill[] = [
  {
    name: 'primary-kill',
    row: 'Primary killed: writes answer 503 quickly (no hang); reads go on from replicas; writes resume by themselves when the primary is back',
    skip: has('mysql-replica-1'),
    fault: (s) => outage(s, 'mysql-primary', 'SIGKILL'),
    affected: WRITES,
    mix: { write: 4 },
    checks: () => [
      failOnlyWith([...WRITES, 'login'], ['503 WEB_ERR_DB_UNAVAILABLE']),
      answeredWithin(['write'], 2500),
      noFailures(['feed', 'read', 'anon', 'cart']),
      resumes(['write'], 15_000),
      ledgerClean,
    ],
  },
  {
    name: 'primary-pause',
    row: 'Primary paused (SIGSTOP): writes answer 503 within the query timeout (no pool exhaustion); reads go on; writes resume',
    skip: has('mysql-replica-1'),
    fault: (s) => pause(s, 'mysql-primary'),
    affected: WRITES,
    mix: { write: 4 },
    checks: () => [
      failOnlyWith([...WRITES, 'login'], ['503 WEB_ERR_DB_UNAVAILABLE']),
      answeredWithin(['write'], 7500),
      noFailures(['feed', 'read', 'anon', 'cart']),
      resumes(['write'], 10_000),
      ledgerClean,
    ],
  },
  {
    name: 'replica-kill',
    row: 'Replica killed: reads move away; a user who just wrote reads their own write',
    skip: has('mysql-replica-1'),
    fault: (s) => outage(s, 'mysql-replica-1', 'SIGKILL'),
    affected: READS,
    checks: () => [noFailures(), readYourWrites, answeredWithin(READS, 2500), ledgerClean],
  },
  {
    name: 'replica-pause',
    row: 'Replica paused: reads move away; a user who just wrote reads their own write',
    skip: has('mysql-replica-1'),
    fault: (s) => pause(s, 'mysql-replica-1'),
    affected: READS,
    checks: () => [noFailures(), readYourWrites, detectedWithin(7000), ledgerClean],
  },
  {
    name: 'redis-kill',
    row: 'Redis killed: anonymous pages keep working; logged-in routes answer 503, not 500; all resume',
    skip: has('redis'),
    fault: (s) => outage(s, 'redis', 'SIGKILL'),
    ...redisOutage(15_000),
  },
  {
    name: 'redis-pause',
    row: 'Redis paused: anonymous pages keep working; logged-in routes answer 503, not 500; all resume',
    skip: has('redis'),
    fault: (s) => pause(s, 'redis'),
    ...redisOutage(10_000),
  },
  {
    name: 'memcached-kill',
    row: 'memcached killed: zero 5xx, reads fall back to the database; no stale data after it returns',
    skip: has('memcached'),
    fault: (s) => outage(s, 'memcached', 'SIGKILL'),
    affected: READS,
    probe: freshFeed,
    checks: () => [
      noFailures(),
      readYourWrites,
      observedWithin(
        'freshFeedAfterMs',
        2000,
        'after it returns, a new post is in the anonymous feed',
      ),
      ledgerClean,
    ],
  },
  {
    name: 's3-kill',
    row: 'Object store killed: uploads 503; everything else works; uploads resume; accepted uploads read back byte-identical',
    skip: has('s3'),
    fault: (s) => outage(s, 's3', 'SIGKILL'),
    affected: ['upload'],
    mix: { upload: 2 },
    checks: () => [
      failOnlyWith(['upload'], ['503']),
      noFailures(['feed', 'read', 'anon', 'cart', 'write', 'ryw', 'login']),
      resumes(['upload'], 15_000),
      ledgerClean,
    ],
  },
];
