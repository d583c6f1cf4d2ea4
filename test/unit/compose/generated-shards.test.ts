import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addedServers,
  CHECKED_IN_FILE,
  ComposeShardsError,
  outputFileFor,
  renderComposeShards,
} from '../../../scripts/compose-shards-render.ts';
import type { Env } from '../../../services/shared/config/env.ts';
import { COMPOSE_DOC, contextFor, planFor } from '../../support/compose/fixture.ts';
import { COMPOSE_CHECKS } from '../../support/compose/index.ts';
import { interpolateDocument } from '../../support/compose/interpolate.ts';
import { loadComposeSchema, parseCompose, repoFile } from '../../support/compose/load.ts';
import { mergeCompose, mergeProblems } from '../../support/compose/merge.ts';
import { composeValidator } from '../../support/compose/schema.ts';

const validate = composeValidator(loadComposeSchema());

function generated(env: Record<string, string>): {
  text: string;
  plan: ReturnType<typeof planFor>;
} {
  const plan = planFor(env);
  const text = renderComposeShards(plan, {
    shards: Number(env.SHARDS),
    dbReplicas: Number(env.DB_REPLICAS ?? 2),
    federation: env.FEDERATION === 'on',
    fileName: 'generated.yml',
  });
  return { text, plan };
}

test('docker-compose.shards.yml is byte for byte the generator’s SHARDS=2 output', () => {
  const text = renderComposeShards(planFor({ SHARDS: '2' }), {
    shards: 2,
    dbReplicas: 2,
    federation: false,
    fileName: CHECKED_IN_FILE,
  });
  assert.equal(repoFile(CHECKED_IN_FILE), text);
});

const CASES: Record<string, string>[] = [
  { SHARDS: '4' },
  { SHARDS: '8' },
  { SHARDS: '4', FEDERATION: 'on' },
  { SHARDS: '8', FEDERATION: 'on' },
  { SHARDS: '3', SHARD_SPARES: '1' },
];

for (const env of CASES) {
  const label = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const { text, plan } = generated(env);
  const override = parseCompose(text);
  const merged = mergeCompose(COMPOSE_DOC, override);
  const ctx = contextFor(merged, { plan, env: env as Env });

  test(`${label}: the generated file has every server the plan adds, and only those`, () => {
    const services = Object.keys((override as { services: Record<string, unknown> }).services);
    const servers = addedServers(plan).map((s) => s.name);
    const shards = Number(env.SHARDS);
    const replicas = Number(env.DB_REPLICAS ?? 2);
    const functions = env.FEDERATION === 'on' ? 1 : 0; // mysql-media; the posts are sharded
    const spares = Number(env.SHARD_SPARES ?? 0);
    assert.equal(servers.length, (shards + spares + functions) * (1 + replicas));
    assert.deepEqual(
      services.filter((s) => s.startsWith('mysql-')),
      servers,
    );
    assert.ok(servers.includes(`mysql-shard-${shards + spares}`));
    assert.ok(!servers.includes(`mysql-shard-${shards + spares + 1}`));
  });

  for (const [name, check] of Object.entries(COMPOSE_CHECKS)) {
    test(`${label}: docker-compose.yml + the generated file passes "${name}" against the plan`, () => {
      assert.deepEqual(check(ctx), []);
    });
  }

  test(`${label}: the override only adds maps to the base’s services, and validates`, () => {
    assert.deepEqual(mergeProblems(COMPOSE_DOC, override), []);
    assert.deepEqual(validate(interpolateDocument(override, env).value), []);
    assert.deepEqual(validate(interpolateDocument(merged, env).value), []);
  });
}

// docker-compose.yml itself runs mysql-replica-1 and -2 (DB_REPLICAS=2, the default stage's) for
// mysql-primary; with another DB_REPLICAS only those base services differ from the plan.
const OTHER_REPLICAS: Record<string, string>[] = [
  { SHARDS: '4', DB_REPLICAS: '1' },
  { SHARDS: '3', DB_REPLICAS: '0', READ_FROM: 'primary' },
];
for (const env of OTHER_REPLICAS) {
  test(`${env.SHARDS} shards, DB_REPLICAS=${env.DB_REPLICAS}: only the base’s own replicas differ from the plan`, () => {
    const { text, plan } = generated(env);
    const override = parseCompose(text);
    const merged = mergeCompose(COMPOSE_DOC, override);
    const ctx = contextFor(merged, { plan, env });
    const services = Object.keys((override as { services: Record<string, unknown> }).services);
    assert.deepEqual(
      services.filter((s) => s.startsWith('mysql-')),
      addedServers(plan).map((s) => s.name),
    );
    assert.equal(addedServers(plan).length, Number(env.SHARDS) * (1 + Number(env.DB_REPLICAS)));
    const problems = Object.values(COMPOSE_CHECKS).flatMap((check) => check(ctx));
    assert.ok(problems.length > 0);
    for (const p of problems) assert.match(p, /mysql-replica-\d|MYSQL_REPLICAS/, p);
    for (const p of problems) {
      const runs = /^compose runs \[(.*)\] without a profile, the plan has \[(.*)\]$/.exec(p);
      if (!runs) {
        assert.doesNotMatch(p, /shard/i, p);
        continue;
      }
      const planned = new Set((runs[2] ?? '').split(', '));
      const extra = (runs[1] ?? '').split(', ').filter((n) => !planned.has(n));
      for (const n of extra) assert.match(n, /^mysql-replica-\d$/, p);
    }
    assert.deepEqual(mergeProblems(COMPOSE_DOC, override), []);
    assert.deepEqual(validate(interpolateDocument(merged, env).value), []);
  });
}

test('the checks see a generated file that does not fit the plan (SHARDS=4 file, SHARDS=8 plan)', () => {
  const { text } = generated({ SHARDS: '4' });
  const merged = mergeCompose(COMPOSE_DOC, parseCompose(text));
  const env = { SHARDS: '8' };
  const ctx = contextFor(merged, { plan: planFor(env), env });
  const problems = Object.values(COMPOSE_CHECKS).flatMap((check) => check(ctx));
  assert.ok(
    problems.some((p) => p.includes('mysql-shard-8')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('MYSQL_SHARDS')),
    problems.join('\n'),
  );
});

test('server ids and GTID domains follow the plan: shard 8 is 108, its second replica 110+30', () => {
  const { text } = generated({ SHARDS: '8' });
  assert.match(
    text,
    /mysql-shard-8:\n(?: {4}.*\n)*? {6}- --server-id=108\n {6}- --gtid-domain-id=108\n/,
  );
  assert.match(
    text,
    /mysql-shard-8-replica-2:\n(?: {4}.*\n)*? {6}- --server-id=\d+\n {6}- --query/,
  );
});

test('with FEDERATION=on the worker’s database is mysql-media’s; without it the worker keeps its own', () => {
  const fed = parseCompose(generated({ SHARDS: '4', FEDERATION: 'on' }).text) as {
    services: Record<string, { environment: Record<string, string> }>;
  };
  assert.equal(fed.services.worker?.environment.MYSQL_PRIMARY, 'mysql-media:3306');
  assert.equal(fed.services.web?.environment.MYSQL_MEDIA, 'mysql-media:3306');
  assert.equal(fed.services.web?.environment.MYSQL_POSTS, undefined);
  const plain = parseCompose(generated({ SHARDS: '4' }).text) as typeof fed;
  assert.equal(plain.services.worker?.environment.MYSQL_PRIMARY, undefined);
  assert.equal(plain.services.web?.environment.MYSQL_MEDIA, undefined);
});

test('a plan that adds no server is refused (SHARDS=1 without FEDERATION=on)', () => {
  assert.throws(
    () =>
      renderComposeShards(planFor({ SHARDS: '1' }), {
        shards: 1,
        dbReplicas: 2,
        federation: false,
        fileName: 'x.yml',
      }),
    ComposeShardsError,
  );
});

test('output names: the checked-in file for SHARDS=2 with the defaults, a named file otherwise', () => {
  assert.equal(outputFileFor(2, 2, 0, false, 2), 'docker-compose.shards.yml');
  assert.equal(outputFileFor(4, 2, 0, false, 2), 'docker-compose.shards-4.yml');
  assert.equal(outputFileFor(2, 1, 0, false, 2), 'docker-compose.shards-2-replicas-1.yml');
  assert.equal(outputFileFor(8, 2, 0, true, 2), 'docker-compose.shards-8-federation.yml');
  assert.equal(outputFileFor(3, 2, 2, false, 2), 'docker-compose.shards-3-spares-2.yml');
});
