import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PrimaryState, planPrimary } from '../../../services/setup/primary-plan.ts';

const wants = {
  database: 'scaling_lab',
  app: { user: 'app', password: 'app-secret-1' },
  replication: { user: 'replicator', password: 'repl-secret-1' },
};
const missing = { exists: false, passwordMatches: false, grants: [] };
const fresh: PrimaryState = { databaseExists: false, app: missing, replication: missing };
const done: PrimaryState = {
  databaseExists: true,
  app: {
    exists: true,
    passwordMatches: true,
    grants: [
      "GRANT SLAVE MONITOR ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*X'",
      'GRANT ALL PRIVILEGES ON `scaling\\_lab%`.* TO `app`@`%`',
    ],
  },
  replication: {
    exists: true,
    passwordMatches: true,
    grants: ["GRANT REPLICATION SLAVE ON *.* TO `replicator`@`%` IDENTIFIED BY PASSWORD '*Y'"],
  },
};

test('a fresh primary gets the database, both accounts and their grants, through placeholders', () => {
  const plan = planPrimary(fresh, wants);
  assert.deepEqual(
    plan.map((s) => [s.sql, s.params]),
    [
      [
        'CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
        ['scaling_lab'],
      ],
      ['CREATE USER ?@? IDENTIFIED BY ?', ['app', '%', 'app-secret-1']],
      ['GRANT ALL PRIVILEGES ON `scaling\\_lab%`.* TO ?@?', ['app', '%']],
      ['GRANT SLAVE MONITOR ON *.* TO ?@?', ['app', '%']],
      ['CREATE USER ?@? IDENTIFIED BY ?', ['replicator', '%', 'repl-secret-1']],
      ['GRANT REPLICATION SLAVE ON *.* TO ?@?', ['replicator', '%']],
    ],
  );
  for (const s of plan) {
    assert.ok(!s.sql.includes('secret'), 'no password inside SQL text');
    assert.ok(!s.purpose.includes('secret'), 'no password in the log line');
  }
});

test('a bootstrapped primary gets nothing: a re-run changes nothing', () => {
  assert.deepEqual(planPrimary(done, wants), []);
});

test('only what drifted is fixed: a changed password, a lost grant', () => {
  const drifted: PrimaryState = {
    ...done,
    app: { ...done.app, passwordMatches: false, grants: done.app.grants.slice(0, 1) },
  };
  assert.deepEqual(
    planPrimary(drifted, wants).map((s) => s.sql),
    ['ALTER USER ?@? IDENTIFIED BY ?', 'GRANT ALL PRIVILEGES ON `scaling\\_lab%`.* TO ?@?'],
  );
});
