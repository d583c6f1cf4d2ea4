import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

const flags = resolveFlags({ STAGE: '4' });
const native = { mode: 'native', portBase: 8000, stackDir: '/s' } as const;
const byName = (plan: ReturnType<typeof planStack>, name: string) =>
  plan.services.find((s) => s.name === name);

test('FAULT_PROXY=on: web servers reach every store through its proxy on 127.0.0.26', () => {
  const plan = planStack(flags, native, { faultProxy: true });
  const proxy = byName(plan, 'fault-proxy');
  assert.equal(proxy?.host, '127.0.0.26');
  assert.equal(proxy?.ports.admin, 8600);
  assert.equal(
    proxy?.env.FAULT_PROXY_ROUTES,
    [
      'mysql-primary=127.0.0.26:8601>127.0.0.11:8306',
      'mysql-replica-1=127.0.0.26:8602>127.0.0.12:8307',
      'mysql-replica-2=127.0.0.26:8603>127.0.0.13:8308',
      'redis=127.0.0.26:8611>127.0.0.21:8379',
      'memcached=127.0.0.26:8612>127.0.0.22:8250',
      's3=127.0.0.26:8613>127.0.0.23:8900',
    ].join(';'),
  );
  const web = byName(plan, 'web-1');
  assert.equal(web?.env.MYSQL_PRIMARY, '127.0.0.26:8601');
  assert.equal(web?.env.MYSQL_REPLICAS, '127.0.0.26:8602,127.0.0.26:8603');
  assert.equal(web?.env.REDIS_URL, 'redis://127.0.0.26:8611');
  assert.equal(web?.env.MEMCACHED_SERVERS, '127.0.0.26:8612');
  assert.equal(web?.env.S3_ENDPOINT, 'http://127.0.0.26:8613');
  assert.ok(web?.dependsOn.includes('fault-proxy'));
  assert.equal(byName(plan, 'setup')?.env.MYSQL_PRIMARY, '127.0.0.11:8306', 'setup goes direct');
});

test('off by default, and never in compose', () => {
  assert.equal(byName(planStack(flags, native), 'fault-proxy'), undefined);
  assert.equal(byName(planStack(flags, native), 'web-1')?.env.MYSQL_PRIMARY, '127.0.0.11:8306');
  const compose = planStack(flags, { mode: 'compose' }, { faultProxy: true });
  assert.equal(byName(compose, 'fault-proxy'), undefined);
});
