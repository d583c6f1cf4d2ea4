import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureSecrets, readSecret } from '../../../runner/host/secrets.ts';
import { SECRET_NAMES } from '../../../services/shared/topology/plan.ts';

test('secrets are made once (random, 0600) and reused; fixed values are written as given', (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'secrets');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = ensureSecrets(dir);
  assert.deepEqual(Object.keys(first).sort(), [...SECRET_NAMES].sort());
  const values = SECRET_NAMES.map((n) => readSecret(first, n));
  for (const [i, name] of SECRET_NAMES.entries()) {
    assert.match(values[i] ?? '', /^[0-9a-f]{48}$/, name);
    assert.equal(statSync(first[name]).mode & 0o777, 0o600, name);
  }
  assert.equal(new Set(values).size, values.length, 'each secret is different');
  assert.equal(statSync(dir).mode & 0o777, 0o700);

  const again = ensureSecrets(dir);
  assert.deepEqual(
    SECRET_NAMES.map((n) => readSecret(again, n)),
    values,
    'a second up reuses them',
  );

  writeFileSync(first['lb-sticky-secret'], '', { mode: 0o644 });
  const fixed = ensureSecrets(dir, { 's3-secret-access-key': 'external-key' });
  assert.equal(readSecret(fixed, 's3-secret-access-key'), 'external-key');
  assert.match(readSecret(fixed, 'lb-sticky-secret'), /^[0-9a-f]{48}$/, 'an empty file is remade');
  assert.equal(statSync(fixed['lb-sticky-secret']).mode & 0o777, 0o600);
  assert.equal(
    readFileSync(fixed['mysql-password'], 'utf8'),
    values[SECRET_NAMES.indexOf('mysql-password')],
  );
});
