/**
 * scripts/compose-secrets.sh makes exactly the secrets the plan names, as random 0600 files in a
 * 0700 directory, once: a second run keeps every value. It runs here in a temporary SECRETS_DIR.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { SECRET_NAMES } from '../../../services/shared/topology/plan.ts';
import { REPO_DIR, repoFile } from '../../support/compose/load.ts';

const SCRIPT = join(REPO_DIR, 'scripts', 'compose-secrets.sh');

function scriptNames(text: string): string[] {
  const line = /^SECRET_NAMES="([^"]*)"$/m.exec(text);
  return line?.[1]?.split(/\s+/).filter((n) => n !== '') ?? [];
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'compose-secrets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'secrets');
}

const run = (dir: string) =>
  execFileSync('sh', [SCRIPT], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SECRETS_DIR: dir },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const read = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n), 'utf8')]));

test("the script's list of secrets is the plan's SECRET_NAMES", () => {
  assert.deepEqual(scriptNames(repoFile('scripts/compose-secrets.sh')), [...SECRET_NAMES]);
  assert.deepEqual(scriptNames('SECRET_NAMES="a b"\n'), ['a', 'b'], 'the reader reads');
});

test('it makes one random hex secret per name, 0600 in a 0700 directory', (t) => {
  const dir = tempDir(t);
  assert.match(run(dir), new RegExp(`${SECRET_NAMES.length} made, 0 kept`));
  const secrets = read(dir);
  assert.deepEqual(Object.keys(secrets).sort(), [...SECRET_NAMES].sort());
  for (const [name, value] of Object.entries(secrets)) {
    assert.match(value, /^[0-9a-f]{48}$/, name);
    assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600, name);
  }
  assert.equal(new Set(Object.values(secrets)).size, SECRET_NAMES.length, 'all different');
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('a second run keeps every value; an emptied file gets a new one', (t) => {
  const dir = tempDir(t);
  run(dir);
  const first = read(dir);
  assert.match(run(dir), new RegExp(`0 made, ${SECRET_NAMES.length} kept`));
  assert.deepEqual(read(dir), first);
  writeFileSync(join(dir, 'lb-sticky-secret'), ' \n');
  chmodSync(join(dir, 'lb-sticky-secret'), 0o644);
  assert.match(run(dir), new RegExp(`1 made, ${SECRET_NAMES.length - 1} kept`));
  const third = read(dir);
  assert.match(third['lb-sticky-secret'] ?? '', /^[0-9a-f]{48}$/);
  assert.equal(third['mysql-password'], first['mysql-password']);
  assert.equal(statSync(join(dir, 'lb-sticky-secret')).mode & 0o777, 0o600);
});
