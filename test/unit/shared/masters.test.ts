import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { inDomain } from '../../../services/setup/gtid-domain.ts';
import {
  DB_TOPOLOGIES,
  flagWarnings,
  resolveFlags,
} from '../../../services/shared/config/flags.ts';
import { faultRoutes } from '../../../services/shared/topology/fault-proxy.ts';
import {
  AUTO_INCREMENT_INCREMENT,
  MASTERS,
  masterOfId,
  topologyOptions,
} from '../../../services/shared/topology/masters.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

const native = { mode: 'native', portBase: 4000, stackDir: '/tmp/x' } as const;

test('DB_TOPOLOGY: default primary-replicas; a bad value names the variable and what it accepts', () => {
  assert.equal(resolveFlags({}).dbTopology, 'primary-replicas');
  assert.equal(resolveFlags({ DB_TOPOLOGY: 'master-master' }).dbTopology, 'master-master');
  // It starts with a warning of what asynchronous masters cost; primary-replicas without one.
  assert.ok(
    flagWarnings(resolveFlags({ DB_TOPOLOGY: 'master-master' })).some((w) =>
      w.startsWith('DB_TOPOLOGY=master-master: the two masters replicate asynchronously'),
    ),
  );
  assert.ok(!flagWarnings(resolveFlags({})).some((w) => w.startsWith('DB_TOPOLOGY')));
  assert.throws(
    () => resolveFlags({ DB_TOPOLOGY: 'ring' }),
    /DB_TOPOLOGY="ring": expected one of primary-replicas, master-master/,
  );
});

test('master-master refuses what it does not support, naming the variables', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ SHARDS: '2' }, /DB_TOPOLOGY=master-master with SHARDS=2: not supported/],
    [{ STAGE: '6' }, /DB_TOPOLOGY=master-master with SHARDS=2/],
    [{ DB_FAILOVER: 'auto' }, /DB_TOPOLOGY=master-master with DB_FAILOVER=auto: not supported/],
    [{ DB_SEMISYNC: 'on' }, /DB_TOPOLOGY=master-master with DB_SEMISYNC=on: not supported/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => resolveFlags({ DB_TOPOLOGY: 'master-master', ...env }), message);
    // The same flags without master-master are fine.
    assert.doesNotThrow(() => resolveFlags(env), JSON.stringify(env));
  }
});

test('the two masters never share a server id, a GTID domain or an AUTO_INCREMENT id', () => {
  const [a, b] = MASTERS;
  assert.notEqual(a.serverId, b.serverId);
  assert.notEqual(a.gtidDomainId, b.gtidDomainId);
  assert.equal(AUTO_INCREMENT_INCREMENT, 2);
  // The ids each one makes: offset + n × increment, n = 0..999; the two sets are disjoint.
  const ids = (offset: number) =>
    new Set(Array.from({ length: 1000 }, (_, n) => offset + n * AUTO_INCREMENT_INCREMENT));
  const first = ids(a.autoIncrementOffset);
  for (const id of ids(b.autoIncrementOffset)) assert.ok(!first.has(id), `id ${id} on both`);
  // Which master made an id is read back from it.
  for (const [id, master] of [
    [1n, 0],
    [3n, 0],
    [2n, 1],
    [10n, 1],
    [9007199254740993n, 0],
  ] as const)
    assert.equal(masterOfId(id), master, String(id));
});

test('topology options: none with primary-replicas; domain and id interleaving with master-master', () => {
  for (const m of MASTERS) assert.deepEqual(topologyOptions('primary-replicas', m.name), []);
  assert.deepEqual(topologyOptions('master-master', 'mysql-primary'), [
    '--auto-increment-increment=2',
    '--auto-increment-offset=1',
  ]);
  assert.deepEqual(topologyOptions('master-master', 'mysql-primary-2'), [
    '--gtid-domain-id=2',
    '--auto-increment-increment=2',
    '--auto-increment-offset=2',
  ]);
  assert.deepEqual(topologyOptions('master-master', 'mysql-replica-1'), []);
});

test('the cnf file compose mounts for mysql-primary holds exactly the options the runner passes', () => {
  for (const topology of DB_TOPOLOGIES) {
    const text = readFileSync(join('infra', 'mariadb', 'topology', `${topology}.cnf`), 'utf8');
    const options = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('['))
      .map((l) => {
        const [key = '', value = ''] = l.split('=').map((p) => p.trim());
        return `--${key}=${value}`;
      });
    assert.deepEqual(options, topologyOptions(topology, 'mysql-primary'), topology);
  }
});

test('the plan: a second master on its own slot, with its options, known to setup and the web servers', () => {
  const plain = planStack(resolveFlags({}), native);
  assert.ok(!plain.services.some((s) => s.name === 'mysql-primary-2'));
  assert.equal(plain.services.find((s) => s.kind === 'setup')?.env.MYSQL_PRIMARY_2, undefined);

  const plan = planStack(resolveFlags({ DB_TOPOLOGY: 'master-master' }), native, {
    faultProxy: true,
  });
  const second = plan.services.find((s) => s.name === 'mysql-primary-2');
  assert.ok(second);
  assert.equal(second.kind, 'mysql-primary');
  assert.equal(second.serverId, 10);
  assert.equal(second.host, '127.0.0.20');
  assert.equal(second.ports.mysql, 4305);
  assert.equal(second.box, 'mysql-primary-2');
  assert.ok(second.serverOptions.includes('--auto-increment-offset=2'));
  const primary = plan.services.find((s) => s.name === 'mysql-primary');
  assert.ok(primary?.serverOptions.includes('--auto-increment-offset=1'));
  // No two services share an address.
  const addresses = plan.services.flatMap((s) =>
    Object.values(s.ports).map((p) => `${s.host}:${p}`),
  );
  assert.equal(new Set(addresses).size, addresses.length);
  const setup = plan.services.find((s) => s.kind === 'setup');
  assert.equal(setup?.env.MYSQL_PRIMARY_2, '127.0.0.20:4305');
  assert.equal(setup?.env.DB_TOPOLOGY, 'master-master');
  assert.ok(setup?.dependsOn.includes('mysql-primary-2'));
  // The web servers reach it through its own fault proxy (base+610).
  const web = plan.services.find((s) => s.kind === 'web');
  assert.equal(web?.env.MYSQL_PRIMARY_2, '127.0.0.26:4610');
  assert.equal(web?.env.DB_TOPOLOGY, 'master-master');
  const routes = faultRoutes(plan.services, 4000);
  assert.equal(new Set(routes.map((r) => r.listen.port)).size, routes.length);
});

test('inDomain keeps one GTID domain of a position', () => {
  assert.equal(inDomain('0-1-5,2-10-7', 2), '2-10-7');
  assert.equal(inDomain('0-1-5, 2-10-7', 0), '0-1-5');
  assert.equal(inDomain('0-1-5', 2), '');
  assert.equal(inDomain('', 0), '');
});
