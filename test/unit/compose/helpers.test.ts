// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are compose's ${VAR} syntax, not templates
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpolateDocument, interpolateString } from '../../support/compose/interpolate.ts';
import { healthcheckPorts } from '../../support/compose/plan-checks.ts';
import { imagePinProblem } from '../../support/compose/policy-checks.ts';
import { longOptions } from '../../support/compose/runner-parity.ts';
import { composeView, parseShortPort } from '../../support/compose/view.ts';

const env = { SET: 'v', EMPTY: '' };

const INTERPOLATION: readonly [string, string, RegExp | undefined][] = [
  ['plain', 'plain', undefined],
  ['$$SET', '$SET', undefined],
  ['$SET/x', 'v/x', undefined],
  ['${SET}', 'v', undefined],
  ['${SET:-d}', 'v', undefined],
  ['${EMPTY:-d}', 'd', undefined],
  ['${EMPTY-d}', '', undefined],
  ['${UNSET-d}', 'd', undefined],
  ['${UNSET:-}', '', undefined],
  ['${UNSET:-${SET}-x}', 'v-x', undefined],
  ['${SET:+alt}', 'alt', undefined],
  ['${EMPTY:+alt}', '', undefined],
  ['${EMPTY+alt}', 'alt', undefined],
  ['a${SET}b${UNSET:-c}', 'avbc', undefined],
  ['${UNSET}', '', /UNSET is not set and has no default/],
  ['${UNSET:?say why}', '', /UNSET: say why/],
  ['${EMPTY:?}', '', /EMPTY: required/],
  ['${EMPTY?}', '', undefined],
  ['${SET', '${SET', /unterminated/],
  ['${1X}', '', /not a variable name/],
];

for (const [input, want, problem] of INTERPOLATION) {
  test(`interpolates ${JSON.stringify(input)} like compose`, () => {
    const problems: string[] = [];
    assert.equal(interpolateString(input, env, problems), want);
    if (problem === undefined) assert.deepEqual(problems, []);
    else
      assert.ok(
        problems.some((p) => problem.test(p)),
        JSON.stringify(problems),
      );
  });
}

test('numbers compose converts after interpolation become numbers, nothing else does', () => {
  const doc = {
    services: {
      web: {
        cpus: '${C:-0.5}',
        deploy: { replicas: '${R:-3}' },
        environment: { PORT: '${P:-80}' },
      },
    },
  };
  const { value, problems } = interpolateDocument(doc, {});
  assert.deepEqual(problems, []);
  assert.deepEqual(value, {
    services: { web: { cpus: 0.5, deploy: { replicas: 3 }, environment: { PORT: '80' } } },
  });
});

const PORTS: readonly [string, ReturnType<typeof parseShortPort>][] = [
  ['3000', { target: 3000, published: undefined, hostIp: undefined }],
  ['80:8080', { target: 8080, published: '80', hostIp: undefined }],
  ['127.0.0.1:8404:8404/tcp', { target: 8404, published: '8404', hostIp: '127.0.0.1' }],
];
for (const [spec, want] of PORTS)
  test(`reads the short port ${spec}`, () => assert.deepEqual(parseShortPort(spec), want));

test('normalises list and map syntaxes to one shape', () => {
  const view = composeView({
    services: {
      a: {
        environment: ['X=1', 'Y'],
        depends_on: ['b'],
        healthcheck: { test: 'true' },
        command: 'node x.js',
        networks: { app: null },
      },
      b: { environment: { X: 1 }, depends_on: { a: { condition: 'service_healthy' } } },
    },
  });
  const [a, b] = view.services;
  assert.deepEqual(a?.environment, { X: '1', Y: null });
  assert.deepEqual(a?.dependsOn, { b: 'service_started' });
  assert.deepEqual(a?.healthcheck?.test, ['CMD-SHELL', 'true']);
  assert.deepEqual(a?.command, ['node', 'x.js']);
  assert.deepEqual(a?.networks, ['app']);
  assert.deepEqual(b?.environment, { X: '1' });
  assert.deepEqual(b?.dependsOn, { a: 'service_healthy' });
});

const HEALTH_PORTS: readonly [string[], number[]][] = [
  [['CMD', 'node', '-e', "fetch('http://127.0.0.1:3000/health')"], [3000]],
  [['CMD-SHELL', 'redis-cli -h 127.0.0.1 -p 6379 ping'], [6379]],
  [['CMD', 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/11211'], [11211]],
  [['CMD', 'healthcheck.sh', '--connect'], []],
];
for (const [testCmd, want] of HEALTH_PORTS)
  test(`finds the ports of ${JSON.stringify(testCmd)}`, () =>
    assert.deepEqual(healthcheckPorts(testCmd), want));

test('reads --name value and --name=value alike', () => {
  assert.deepEqual(
    [...longOptions(['memcached', '--port', '1', '--udp-port=0', '--verbose', '-v'])],
    [
      ['port', '1'],
      ['udp-port', '0'],
      ['verbose', ''],
    ],
  );
});

const IMAGES: readonly [string | undefined, boolean, RegExp | undefined][] = [
  ['mariadb:10.11.19', false, undefined],
  ['minio/minio:RELEASE.2025-09-07T16-13-09Z', false, undefined],
  ['registry.local:5000/x:1.2', false, undefined],
  [`redis@sha256:${'a'.repeat(64)}`, false, undefined],
  ['scaling-lab/app:local', true, undefined],
  [undefined, true, undefined],
  ['redis', false, /no tag/],
  ['registry.local:5000/x', false, /no tag/],
  ['redis:latest', false, /latest/],
  ['scaling-lab/app:latest', true, /latest/],
  ['redis:alpine', false, /names no version/],
  [undefined, false, /neither image nor build/],
];
for (const [image, built, problem] of IMAGES)
  test(`image ${String(image)}${built ? ' (built)' : ''} is ${problem ? 'rejected' : 'pinned'}`, () => {
    const found = imagePinProblem(image, built);
    if (problem === undefined) assert.equal(found, undefined);
    else assert.match(found ?? '', problem);
  });
