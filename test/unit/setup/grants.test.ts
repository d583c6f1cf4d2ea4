import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  databasePattern,
  grantObject,
  holdsGrant,
  parseGrant,
} from '../../../services/setup/grants.ts';

// As MariaDB 10.11 prints them.
const APP = [
  "GRANT SLAVE MONITOR ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*DFE1D66B4EB494D7F02EB25085231380DEEC5C5D'",
  'GRANT ALL PRIVILEGES ON `scaling\\_lab%`.* TO `app`@`%`',
];

test('the database pattern covers the database and its _* siblings, with _ escaped', () => {
  assert.equal(databasePattern('scaling_lab'), 'scaling\\_lab%');
  assert.equal(grantObject(databasePattern('scaling_lab')), '`scaling\\_lab%`.*');
});

test('SHOW GRANTS lines parse into privileges and object', () => {
  assert.deepEqual(parseGrant(APP[0] ?? ''), { privileges: ['SLAVE MONITOR'], on: '*.*' });
  assert.deepEqual(parseGrant('GRANT SELECT, INSERT ON `db`.* TO `u`@`%`'), {
    privileges: ['SELECT', 'INSERT'],
    on: '`db`.*',
  });
  assert.equal(parseGrant('GRANT PROXY ON ``@`%` TO `root`@`localhost`'), undefined);
  assert.equal(parseGrant('GRANT `role1` TO `u`@`%`'), undefined);
});

test('holdsGrant: same object, every privilege (ALL PRIVILEGES covers any)', () => {
  const cases: [string, readonly string[], { privileges: string[]; on: string }, boolean][] = [
    ['app db grant', APP, { privileges: ['ALL PRIVILEGES'], on: '`scaling\\_lab%`.*' }, true],
    ['monitor', APP, { privileges: ['SLAVE MONITOR'], on: '*.*' }, true],
    ['other object', APP, { privileges: ['ALL PRIVILEGES'], on: '`other`.*' }, false],
    ['missing privilege', APP, { privileges: ['REPLICATION SLAVE'], on: '*.*' }, false],
    [
      'ALL on *.* covers replication',
      ['GRANT ALL PRIVILEGES ON *.* TO `root`@`%` WITH GRANT OPTION'],
      { privileges: ['REPLICATION SLAVE'], on: '*.*' },
      true,
    ],
    ['no grants', [], { privileges: ['SELECT'], on: '*.*' }, false],
  ];
  for (const [name, lines, wanted, expected] of cases)
    assert.equal(holdsGrant(lines, wanted), expected, name);
});
