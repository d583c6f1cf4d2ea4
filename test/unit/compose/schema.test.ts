/**
 * docker-compose.yml against the compose-spec JSON schema, validated the way compose does it: after
 * `<<` merges and variable interpolation (with an empty environment: every default applies).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMPOSE_DOC, mutated, obj, serviceOf } from '../../support/compose/fixture.ts';
import { interpolateDocument } from '../../support/compose/interpolate.ts';
import { loadComposeSchema } from '../../support/compose/load.ts';
import { composeValidator, declaredDraft, SCHEMA_DRAFT } from '../../support/compose/schema.ts';

const schema = loadComposeSchema();
const validate = composeValidator(schema);
const resolved = (doc: unknown) => interpolateDocument(doc, {}).value;

test(`the schema declares draft ${SCHEMA_DRAFT}, the draft Ajv2019 implements`, () => {
  assert.match(declaredDraft(schema), /draft\/2019-09\/schema/);
  assert.throws(
    () => composeValidator({ ...obj(schema), $schema: 'http://json-schema.org/draft-07/schema#' }),
    /not draft 2019-09/,
  );
});

test('docker-compose.yml is valid after interpolation', () => {
  assert.deepEqual(validate(resolved(COMPOSE_DOC)), []);
});

test('as written, the interpolated replica counts are strings, which is why validation runs after interpolation', () => {
  const problems = validate(COMPOSE_DOC);
  assert.ok(problems.length > 0);
  assert.ok(
    problems.every((p) => /\/deploy\/replicas must be integer/.test(p)),
    JSON.stringify(problems),
  );
});

const ROWS: readonly [string, (root: Record<string, unknown>) => void, RegExp][] = [
  [
    'an unknown depends_on condition',
    (r) => {
      obj(serviceOf(r, 'lb').depends_on).web = { condition: 'service_ready' };
    },
    /depends_on/,
  ],
  [
    'a duration compose cannot read',
    (r) => {
      obj(serviceOf(r, 'redis').healthcheck).interval = '5 seconds';
    },
    /interval must match format "duration"/,
  ],
  [
    'an unknown service key',
    (r) => {
      serviceOf(r, 'web').replica = 3;
    },
    /must NOT have additional properties.*replica/,
  ],
  [
    'an unknown top-level key',
    (r) => {
      r.service = {};
    },
    /must NOT have additional properties.*service/,
  ],
  [
    'a port spec compose cannot read',
    (r) => {
      serviceOf(r, 'grafana').ports = ['localhost:3000:3000:x'];
    },
    /ports\/0 must match format "ports"/,
  ],
  [
    'a secret with an unknown field',
    (r) => {
      obj(r.secrets)['lb-sticky-secret'] = { path: './x' };
    },
    /additional properties.*path/,
  ],
];

for (const [name, change, expect] of ROWS) {
  test(`the schema rejects ${name}`, () => {
    const problems = validate(resolved(mutated(COMPOSE_DOC, change)));
    assert.ok(
      problems.some((p) => expect.test(p)),
      JSON.stringify(problems),
    );
  });
}
