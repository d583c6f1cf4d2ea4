import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

const native = { mode: 'native', portBase: 20000, stackDir: '/tmp/s' } as const;

test('stage 1 is one box: web-1 and the primary share it, no replicas or stores', () => {
  const plan = planStack(resolveFlags({ STAGE: '1' }), native);
  assert.deepEqual(
    plan.services.map((s) => s.name),
    ['mysql-primary', 'setup', 'web-1', 'lb'],
  );
  const box = (name: string) => plan.services.find((s) => s.name === name)?.box;
  assert.equal(box('mysql-primary'), box('web-1'));
});

test('stage 4 natively: replicas, pools, unique addresses, env wired to the plan', () => {
  const plan = planStack(resolveFlags({ STAGE: '4' }), native);
  const names = plan.services.map((s) => s.name);
  for (const n of [
    'mysql-replica-1',
    'mysql-replica-2',
    'redis',
    's3',
    'web-3',
    'read-api-2',
    'write-api-1',
    'lb',
  ]) {
    assert.ok(names.includes(n), n);
  }
  const endpoints = plan.services.flatMap((s) =>
    Object.values(s.ports).map((p) => `${s.host}:${p}`),
  );
  assert.equal(new Set(endpoints).size, endpoints.length, 'no two services share an address');
  const ports = plan.services.flatMap((s) => Object.values(s.ports));
  assert.equal(new Set(ports).size, ports.length, 'no two services share a port');
  const web = plan.services.find((s) => s.name === 'web-2');
  assert.equal(web?.env.MYSQL_PRIMARY, '127.0.0.11:20306');
  assert.equal(web?.env.MYSQL_REPLICAS, '127.0.0.12:20307,127.0.0.13:20308');
  assert.equal(web?.env.READ_FROM, 'replicas');
  assert.equal(web?.env.MYSQL_PASSWORD_FILE, '/tmp/s/secrets/mysql-password');
  const lb = plan.services.find((s) => s.name === 'lb');
  assert.match(
    lb?.env.LB_POOLS ?? '',
    /^web=127\.0\.0\.31:20101,127\.0\.0\.32:20102,127\.0\.0\.33:20103;read-api=.+;write-api=127\.0\.0\.111:20181$/,
  );
  assert.notEqual(lb?.env.LB_ROUTES, '');
  assert.deepEqual(
    lb?.dependsOn,
    plan.services.filter((s) => s.kind === 'web').map((s) => s.name),
  );
});

test('compose mode: one service per pool, standard ports, DNS discovery', () => {
  const plan = planStack(resolveFlags({ STAGE: '4' }), { mode: 'compose' });
  const web = plan.services.filter((s) => s.kind === 'web');
  assert.deepEqual(
    web.map((s) => s.name),
    ['web', 'read-api', 'write-api'],
  );
  assert.equal(web[0]?.ports.http, 3000);
  const lb = plan.services.find((s) => s.name === 'lb');
  assert.equal(
    lb?.env.LB_POOLS,
    'web=dns:web:3000;read-api=dns:read-api:3000;write-api=dns:write-api:3000',
  );
  assert.equal(web[0]?.env.MYSQL_PRIMARY, 'mysql-primary:3306');
});

test('SHARDS=3 plans three shard primaries in their address slots, wired to setup and web', () => {
  const plan = planStack(resolveFlags({ STAGE: '4', SHARDS: '3' }), native);
  const shards = plan.services.filter((s) => s.kind === 'mysql-shard');
  assert.deepEqual(
    shards.map((s) => [s.name, s.host, s.ports.mysql, s.serverId]),
    [
      ['mysql-shard-1', '127.0.0.190', 20310, 101],
      ['mysql-shard-2', '127.0.0.191', 20311, 102],
      ['mysql-shard-3', '127.0.0.192', 20312, 103],
    ],
  );
  const endpoints = shards.map((s) => `${s.host}:${s.ports.mysql}`).join(',');
  const env = (name: string) => plan.services.find((s) => s.name === name)?.env;
  assert.equal(env('setup')?.MYSQL_SHARDS, endpoints);
  assert.equal(env('web-1')?.MYSQL_SHARDS, endpoints);
  assert.ok(
    plan.services.find((s) => s.name === 'setup')?.dependsOn.includes('mysql-shard-3'),
    'setup waits for every shard server',
  );
  for (const s of shards) assert.equal(s.quota?.variable, 'DB_BOX_CPUS');
  const unsharded = planStack(resolveFlags({ STAGE: '4' }), native);
  assert.ok(!unsharded.services.some((s) => s.kind === 'mysql-shard'));
  assert.equal(unsharded.services.find((s) => s.name === 'web-1')?.env.MYSQL_SHARDS, undefined);
});

test('SHARD_SPARES plans empty shard servers after the SHARDS ones, wired like them', () => {
  const plan = planStack(resolveFlags({ STAGE: '4', SHARDS: '2', SHARD_SPARES: '1' }), native);
  const shards = plan.services.filter((s) => s.kind === 'mysql-shard');
  assert.deepEqual(
    shards.map((s) => s.name),
    ['mysql-shard-1', 'mysql-shard-2', 'mysql-shard-3'],
  );
  const endpoints = shards.map((s) => `${s.host}:${s.ports.mysql}`).join(',');
  assert.equal(plan.services.find((s) => s.name === 'web-1')?.env.MYSQL_SHARDS, endpoints);
  assert.equal(plan.services.find((s) => s.name === 'setup')?.env.MYSQL_SHARDS, endpoints);
  assert.throws(() => resolveFlags({ STAGE: '4', SHARD_SPARES: '1' }), /SHARD_SPARES needs SHARDS/);
  assert.throws(
    () => resolveFlags({ STAGE: '4', SHARDS: '6', SHARD_SPARES: '3' }),
    /SHARDS \+ SHARD_SPARES is at most 8/,
  );
});

test('each shard server gets DB_REPLICAS replicas of its own, in their slots, wired to it', () => {
  const plan = planStack(resolveFlags({ STAGE: '4', SHARDS: '8', DB_REPLICAS: '2' }), native);
  const replicas = plan.services.filter((s) => s.kind === 'mysql-shard-replica');
  assert.equal(replicas.length, 16);
  assert.deepEqual(
    replicas
      .slice(0, 3)
      .map((s) => [s.name, s.replicaOf, s.host, s.ports.mysql, s.serverId, s.quota?.variable]),
    [
      ['mysql-shard-1-replica-1', 'mysql-shard-1', '127.0.0.198', 20318, 111, 'DB_BOX_CPUS'],
      ['mysql-shard-1-replica-2', 'mysql-shard-1', '127.0.0.199', 20319, 112, 'DB_BOX_CPUS'],
      ['mysql-shard-2-replica-1', 'mysql-shard-2', '127.0.0.200', 20320, 113, 'DB_BOX_CPUS'],
    ],
  );
  const last = replicas[replicas.length - 1];
  assert.deepEqual(
    [last?.name, last?.host, last?.ports.mysql],
    ['mysql-shard-8-replica-2', '127.0.0.213', 20333],
  );
  // Every MariaDB of the stack has its own address, port and server id.
  const dbs = plan.services.filter((s) => s.ports.mysql !== undefined);
  for (const key of [
    (s: (typeof dbs)[number]) => `${s.host}:${s.ports.mysql}`,
    (s: (typeof dbs)[number]) => String(s.serverId),
  ])
    assert.equal(new Set(dbs.map(key)).size, dbs.length);
  const groups = plan.services.find((s) => s.name === 'web-1')?.env.MYSQL_SHARD_REPLICAS;
  assert.equal(groups?.split(';').length, 8);
  assert.equal(groups?.split(';')[1], '127.0.0.200:20320,127.0.0.201:20321');
  assert.equal(plan.services.find((s) => s.name === 'setup')?.env.MYSQL_SHARD_REPLICAS, groups);
  assert.ok(
    plan.services.find((s) => s.name === 'setup')?.dependsOn.includes('mysql-shard-8-replica-2'),
  );
  const none = planStack(
    resolveFlags({ STAGE: '4', SHARDS: '2', DB_REPLICAS: '0', READ_FROM: 'primary' }),
    native,
  );
  assert.ok(!none.services.some((s) => s.kind === 'mysql-shard-replica'));
  assert.equal(none.services.find((s) => s.name === 'web-1')?.env.MYSQL_SHARD_REPLICAS, undefined);
  const compose = planStack(resolveFlags({ STAGE: '4', SHARDS: '2' }), { mode: 'compose' });
  assert.equal(
    compose.services.find((s) => s.name === 'web')?.env.MYSQL_SHARD_REPLICAS,
    'mysql-shard-1-replica-1:3306,mysql-shard-1-replica-2:3306;mysql-shard-2-replica-1:3306,mysql-shard-2-replica-2:3306',
  );
});

test('FEDERATION=on plans mysql-posts and mysql-media with their replicas, wired to setup, web and worker', () => {
  const plan = planStack(
    resolveFlags({ STAGE: '4', FEDERATION: 'on', DB_REPLICAS: '2', THUMBNAILS: 'queue' }),
    native,
  );
  const dbs = plan.services.filter(
    (s) => s.kind === 'mysql-function' || s.kind === 'mysql-function-replica',
  );
  assert.deepEqual(
    dbs.map((s) => [s.name, s.host, s.ports.mysql, s.serverId, s.replicaOf ?? null]),
    [
      ['mysql-posts', '127.0.0.14', 20360, 201, null],
      ['mysql-posts-replica-1', '127.0.0.16', 20362, 211, 'mysql-posts'],
      ['mysql-posts-replica-2', '127.0.0.17', 20363, 212, 'mysql-posts'],
      ['mysql-media', '127.0.0.15', 20361, 202, null],
      ['mysql-media-replica-1', '127.0.0.18', 20364, 213, 'mysql-media'],
      ['mysql-media-replica-2', '127.0.0.19', 20365, 214, 'mysql-media'],
    ],
  );
  const env = (name: string) => plan.services.find((s) => s.name === name)?.env;
  for (const name of ['setup', 'web-1']) {
    assert.equal(env(name)?.MYSQL_POSTS, '127.0.0.14:20360');
    assert.equal(env(name)?.MYSQL_POSTS_REPLICAS, '127.0.0.16:20362,127.0.0.17:20363');
    assert.equal(env(name)?.MYSQL_MEDIA, '127.0.0.15:20361');
    assert.equal(env(name)?.MYSQL_PRIMARY, '127.0.0.11:20306', 'accounts and orders stay');
  }
  // The worker only touches media rows: its database is mysql-media's.
  assert.equal(env('worker-1')?.MYSQL_PRIMARY, '127.0.0.15:20361');
  assert.equal(env('worker-1')?.MYSQL_REPLICAS, '127.0.0.18:20364,127.0.0.19:20365');
  for (const s of dbs) assert.equal(s.quota?.variable, 'DB_BOX_CPUS');
  const off = planStack(resolveFlags({ STAGE: '4' }), native);
  assert.ok(!off.services.some((s) => s.kind === 'mysql-function'));
  assert.equal(off.services.find((s) => s.name === 'web-1')?.env.MYSQL_POSTS, undefined);
});

test('FEDERATION=on with SHARDS above 1: only mysql-media, the posts stay sharded', () => {
  const plan = planStack(resolveFlags({ STAGE: '4', FEDERATION: 'on', SHARDS: '2' }), native);
  assert.deepEqual(
    plan.services.filter((s) => s.kind === 'mysql-function').map((s) => [s.name, s.host]),
    [['mysql-media', '127.0.0.15']],
  );
  const web = plan.services.find((s) => s.name === 'web-1')?.env;
  assert.equal(web?.MYSQL_MEDIA, '127.0.0.15:20361');
  assert.equal(web?.MYSQL_POSTS, undefined);
  assert.ok(web?.MYSQL_SHARDS);
});

test('FEDERATION=on is refused with master-master, saying why', () => {
  assert.throws(
    () => resolveFlags({ STAGE: '4', FEDERATION: 'on', DB_TOPOLOGY: 'master-master' }),
    /FEDERATION=on with DB_TOPOLOGY=master-master: not supported/,
  );
});
