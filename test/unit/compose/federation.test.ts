import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceIn } from '../../support/compose/context.ts';
import { contextFor } from '../../support/compose/fixture.ts';
import { COMPOSE_CHECKS } from '../../support/compose/index.ts';
import { overrideSuite } from '../../support/compose/override-suite.ts';

const ENV = { FEDERATION: 'on' };
const { merged: MERGED, plan: PLAN, ctx } = overrideSuite('docker-compose.federation.yml', ENV);

test('the FEDERATION=on plan has mysql-posts and mysql-media with two replicas each', () => {
  assert.deepEqual(
    PLAN.services.filter((s) => s.kind.startsWith('mysql-function')).map((s) => s.name),
    [
      'mysql-posts',
      'mysql-posts-replica-1',
      'mysql-posts-replica-2',
      'mysql-media',
      'mysql-media-replica-1',
      'mysql-media-replica-2',
    ],
  );
});

test('the checks see a wrong function database: its domain, the worker’s database', () => {
  const broken = JSON.parse(JSON.stringify(MERGED)) as {
    services: Record<string, { command: string[]; environment: Record<string, string> }>;
  };
  const media = broken.services['mysql-media'];
  assert.ok(media);
  media.command = media.command.filter((a) => !a.startsWith('--gtid-domain-id'));
  const worker = broken.services.worker;
  assert.ok(worker);
  worker.environment.MYSQL_PRIMARY = 'mysql-primary:3306';
  const bad = contextFor(broken, { plan: PLAN, env: ENV });
  assert.ok(
    COMPOSE_CHECKS['runner-parity']?.(bad).some((p) =>
      p.startsWith('mysql-media: command does not pass --gtid-domain-id=202'),
    ),
  );
  assert.ok(
    COMPOSE_CHECKS.environment?.(bad).some((p) => p.startsWith('worker: MYSQL_PRIMARY is')),
  );
  assert.equal(serviceIn(ctx.resolved, 'web')?.environment.FEDERATION, 'on');
});
