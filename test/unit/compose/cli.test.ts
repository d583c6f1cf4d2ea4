/**
 * An extra opinion, only where one is installed: a Compose CLI that can read the file without a
 * Docker engine (`config -q` interpolates, merges and validates, and contacts no daemon). Skipped
 * when there is none; the schema and plan tests are the required checks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_DIR } from '../../support/compose/load.ts';

/** The first Compose CLI that answers `version`, as a command and its leading arguments. */
function composeCli(): readonly string[] | undefined {
  for (const cli of [['docker', 'compose'], ['docker-compose']]) {
    const [command = '', ...args] = cli;
    const r = spawnSync(command, [...args, 'version'], { encoding: 'utf8', timeout: 20_000 });
    if (r.status === 0) return cli;
  }
  return undefined;
}

const cli = composeCli();
const skip = cli === undefined ? 'no Compose CLI here (docker compose / docker-compose)' : false;

function config(extra: readonly string[] = [], env: Record<string, string> = {}) {
  const [command = '', ...args] = cli ?? [];
  return spawnSync(command, [...args, '-f', 'docker-compose.yml', ...extra, 'config', '-q'], {
    cwd: REPO_DIR,
    // Only PATH and HOME: flags set in this shell must not change what is validated.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('the Compose CLI reads docker-compose.yml without complaint', { skip }, () => {
  const r = config();
  assert.equal(r.status, 0, r.stderr);
  const observability = config(['--profile', 'observability']);
  assert.equal(observability.status, 0, observability.stderr);
});

test('the Compose CLI reads it with DB_TOPOLOGY=master-master: the topology file it mounts exists', {
  skip,
}, () => {
  for (const topology of ['primary-replicas', 'master-master']) {
    const r = config([], { DB_TOPOLOGY: topology });
    assert.equal(r.status, 0, r.stderr);
  }
  const [command = '', ...args] = cli ?? [];
  const shown = spawnSync(command, [...args, '-f', 'docker-compose.yml', 'config'], {
    cwd: REPO_DIR,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      DB_TOPOLOGY: 'master-master',
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const mounted = /(\S*infra\/mariadb\/topology\/master-master\.cnf)/.exec(shown.stdout)?.[1];
  assert.ok(mounted !== undefined, 'mysql-primary mounts the master-master options');
  assert.ok(existsSync(mounted.startsWith('/') ? mounted : join(REPO_DIR, mounted)), mounted);
});

test('the Compose CLI rejects a replica count that is not a number', { skip }, () => {
  const r = config([], { WEB_REPLICAS: 'many' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /replicas/);
});
