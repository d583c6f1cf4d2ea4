import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boxList } from '../../../runner/host/boxes.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

const native = { mode: 'native', portBase: 20000, stackDir: '/tmp/s' } as const;

const quotas = (env: Record<string, string>) => {
  const plan = planStack(resolveFlags(env), native);
  const cpus = Object.fromEntries([...boxList(plan.services)].map(([name, b]) => [name, b.cpus]));
  return { plan, cpus };
};

test('by default only app boxes have a quota; the tiers run without one', () => {
  const { cpus } = quotas({ STAGE: '4', BOX_CPUS: '0.5' });
  assert.equal(cpus['web-1'], 0.5);
  assert.equal(cpus['read-api-2'], 0.5);
  for (const box of ['mysql-primary', 'mysql-replica-1', 'redis', 'memcached', 'lb', 's3'])
    assert.equal(cpus[box], null, box);
});

test('a benchmark profile sizes each tier from its own flag', () => {
  const { plan, cpus } = quotas({
    STAGE: '4',
    BOX_CPUS: '0.25',
    DB_BOX_CPUS: '0.5',
    CACHE_BOX_CPUS: '0.2',
    LB_BOX_CPUS: '0.75',
  });
  const table: [string, number | null][] = [
    ['web-1', 0.25],
    ['write-api-1', 0.25],
    ['mysql-primary', 0.5],
    ['mysql-replica-2', 0.5],
    ['redis', 0.2],
    ['memcached', 0.2],
    ['lb', 0.75],
    ['s3', null],
  ];
  for (const [box, want] of table) assert.equal(cpus[box], want, box);
  const lb = plan.services.find((s) => s.name === 'lb');
  assert.deepEqual(lb?.quota, { variable: 'LB_BOX_CPUS', cpus: 0.75 });
});

test('at stage 1 the database shares the web box and its BOX_CPUS, whatever DB_BOX_CPUS says', () => {
  const { plan, cpus } = quotas({ STAGE: '1', BOX_CPUS: '0.5', DB_BOX_CPUS: '2' });
  assert.equal(plan.services.find((s) => s.name === 'mysql-primary')?.box, 'web-1');
  assert.equal(cpus['web-1'], 0.5);
});

test("DB_POOL_SIZE becomes every web server's MYSQL_POOL_SIZE", () => {
  const { plan } = quotas({ STAGE: '4', DB_POOL_SIZE: '1' });
  const webs = plan.services.filter((s) => s.kind === 'web');
  assert.ok(webs.length > 1);
  for (const w of webs) assert.equal(w.env.MYSQL_POOL_SIZE, '1', w.name);
  const defaults = quotas({ STAGE: '4' }).plan.services.find((s) => s.kind === 'web');
  assert.equal(defaults?.env.MYSQL_POOL_SIZE, '10');
});
