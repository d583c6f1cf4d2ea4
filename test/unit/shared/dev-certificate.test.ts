import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { certificateHosts } from '../../../runner/host/certificate.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import {
  devCertificateFiles,
  ensureDevCertificate,
  namesHosts,
  subjectAltNames,
} from '../../../services/shared/tls/dev-certificate.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

test('subjectAltNames: localhost and loopback always, then each named host', () => {
  const base = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'];
  const cases: [string[], string[]][] = [
    [[], base],
    [['0.0.0.0', '::'], base],
    [['127.0.0.24'], [...base, 'IP:127.0.0.24']],
    [
      ['cdn', '127.0.0.1'],
      [...base, 'DNS:cdn'],
    ],
  ];
  for (const [hosts, expected] of cases)
    assert.deepEqual(subjectAltNames(hosts), expected, hosts.join());
});

test('the development certificate is made once and made again when it lacks a wanted host', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dev-cert-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { certFile } = devCertificateFiles(dir);
  assert.equal(ensureDevCertificate(dir, ['127.0.0.1']), true);
  const first = readFileSync(certFile);
  assert.ok(namesHosts(first, ['localhost', '127.0.0.1']));
  assert.ok(!namesHosts(first, ['127.0.0.24']));
  assert.equal(ensureDevCertificate(dir, ['127.0.0.1']), false, 'kept');
  assert.ok(readFileSync(certFile).equals(first));
  assert.equal(ensureDevCertificate(dir, ['127.0.0.1', '127.0.0.24']), true, 'the edge was added');
  const second = readFileSync(certFile);
  assert.ok(namesHosts(second, ['127.0.0.1', '127.0.0.24', 'localhost']));
  assert.equal(ensureDevCertificate(dir, ['127.0.0.24']), false, 'a subset is covered');
});

test('natively one certificate names the LB and, from stage 3, the CDN edge', () => {
  const native = { mode: 'native', portBase: 20000, stackDir: '/tmp/s' } as const;
  assert.deepEqual(certificateHosts(planStack(resolveFlags({ STAGE: '2' }), native)), [
    '127.0.0.1',
  ]);
  assert.deepEqual(certificateHosts(planStack(resolveFlags({ STAGE: '3' }), native)).sort(), [
    '127.0.0.1',
    '127.0.0.24',
  ]);
});
