import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePurgeBody } from '../../../services/cdn/admin/purge-body.ts';
import { keyOfTarget } from '../../../services/cdn/http/request-key.ts';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

test('request targets: public keys pass, traversal is 400, anything else is not public (404)', () => {
  const cases: [string, 200 | 400 | 404][] = [
    [`/files/media/${UUID}/original.png`, 200],
    [`/files/media/${UUID}/original.jpg?v=1`, 200],
    [`/files/media/${UUID}/thumbnail-256.webp`, 200],
    ['/files/static/0123456789abcdef/app.js', 200],
    ['/files/../etc/passwd', 400],
    [`/files/media/${UUID}/../../private/x.png`, 400],
    ['/files/media/..%2F..%2Fetc%2Fpasswd', 400],
    ['/files/%2e%2e/secret', 400],
    [`/files/media//${UUID}/original.png`, 400],
    [`/files/media/${UUID}/./original.png`, 400],
    ['/files/media\\..\\x', 400],
    [`/files/media/${UUID}/original.png%00`, 400],
    ['/files/private/report.pdf', 404],
    ['/files/exports/users.csv', 404],
    [`/files/media/${UUID}/original.exe`, 404],
    [`/files/media/${UUID.toUpperCase()}/original.png`, 404],
    ['/files/static/0123456789abcdef/app.php', 404],
    ['/files/', 400],
    ['/etc/passwd', 404],
    ['http://evil/files/media/x', 404],
    [`/files/${'a'.repeat(2000)}`, 400],
  ];
  for (const [target, status] of cases) {
    const r = keyOfTarget(target);
    assert.equal(r.ok ? 200 : r.status, status, target);
  }
  const ok = keyOfTarget(`/files/media/${UUID}/original.jpg?v=1`);
  assert.deepEqual(ok, { ok: true, key: `media/${UUID}/original.jpg` });
});

test('purge bodies: keys and prefixes inside the public key space only', () => {
  const good = parsePurgeBody(
    JSON.stringify({ keys: [`media/${UUID}/original.png`], prefixes: [`media/${UUID}/`] }),
  );
  assert.deepEqual(good, {
    ok: true,
    keys: [`media/${UUID}/original.png`],
    prefixes: [`media/${UUID}/`],
  });
  assert.ok(parsePurgeBody(JSON.stringify({ prefixes: ['static/'] })).ok);
  const bad = [
    'not json',
    '[]',
    '{}',
    '{"keys":"x"}',
    '{"keys":["../x"]}',
    '{"prefixes":[""]}',
    '{"prefixes":["private/"]}',
    '{"prefixes":["media/../"]}',
    '{"other":1,"keys":[]}',
    JSON.stringify({ prefixes: Array.from({ length: 1001 }, () => 'static/') }),
  ];
  for (const body of bad) assert.equal(parsePurgeBody(body).ok, false, body.slice(0, 60));
});
