import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceIn } from '../../support/compose/context.ts';
import { contextFor } from '../../support/compose/fixture.ts';
import { COMPOSE_CHECKS } from '../../support/compose/index.ts';
import { overrideSuite } from '../../support/compose/override-suite.ts';

const ENV = { SHARDS: '2' };
const { merged: MERGED, plan: PLAN, ctx } = overrideSuite('docker-compose.shards.yml', ENV);

test('the SHARDS=2 plan has two shard servers with two replicas each (the default stage’s)', () => {
  assert.deepEqual(
    PLAN.services.filter((s) => s.kind.startsWith('mysql-shard')).map((s) => s.name),
    [
      'mysql-shard-1',
      'mysql-shard-1-replica-1',
      'mysql-shard-1-replica-2',
      'mysql-shard-2',
      'mysql-shard-2-replica-1',
      'mysql-shard-2-replica-2',
    ],
  );
});

test('the checks see a wrong shard server: its server id, its domain, a web server’s address', () => {
  const broken = JSON.parse(JSON.stringify(MERGED)) as {
    services: Record<string, { command: string[]; environment: Record<string, string> }>;
  };
  const shard = broken.services['mysql-shard-2'];
  assert.ok(shard);
  shard.command = shard.command.filter((a) => !a.startsWith('--gtid-domain-id'));
  const web = broken.services.web;
  assert.ok(web);
  web.environment.MYSQL_SHARD_REPLICAS = 'mysql-shard-1-replica-1:3306';
  const bad = contextFor(broken, { plan: PLAN, env: ENV });
  assert.ok(
    COMPOSE_CHECKS['runner-parity']?.(bad).some((p) =>
      p.startsWith('mysql-shard-2: command does not pass --gtid-domain-id=102'),
    ),
  );
  assert.ok(
    COMPOSE_CHECKS.environment?.(bad).some((p) => p.startsWith('web: MYSQL_SHARD_REPLICAS is')),
  );
  assert.equal(serviceIn(ctx.resolved, 'web')?.environment.SHARDS, '2');
});
