import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  inCgroup,
  type LaunchContext,
  launchSpec,
  STACK_MARKER,
} from '../../../runner/plan/launch-spec.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

const stackDir = '/tmp/st';
const plan = planStack(resolveFlags({ STAGE: '4' }), { mode: 'native', portBase: 20000, stackDir });
const ctx = (isRoot: boolean): LaunchContext => ({
  repoDir: '/repo',
  stackDir,
  isRoot,
  node: '/usr/bin/node',
  binaries: {
    mariadbd: '/usr/sbin/mariadbd',
    mariadbInstallDb: '/usr/bin/mariadb-install-db',
    redisServer: '/usr/bin/redis-server',
    memcached: '/usr/bin/memcached',
  },
  logLevel: 'info',
  baseEnv: { PATH: '/usr/bin:/bin' },
});
const service = (name: string) => {
  const s = plan.services.find((x) => x.name === name);
  assert.ok(s, name);
  return s;
};

test('mariadbd: the shared config file first, then only native paths, address, port, server id, flag options', () => {
  const spec = launchSpec(service('mysql-replica-2'), ctx(true));
  assert.equal(spec.command, '/usr/sbin/mariadbd');
  assert.deepEqual(spec.args, [
    '--defaults-file=/repo/infra/mariadb/replica.cnf',
    '--datadir=/tmp/st/mysql-replica-2/data',
    '--socket=/tmp/st/mysql-replica-2/mysqld.sock',
    '--pid-file=/tmp/st/mysql-replica-2/mysqld.pid',
    '--tmpdir=/tmp/st/mysql-replica-2/tmp',
    '--bind-address=127.0.0.13',
    '--port=20308',
    '--server-id=3',
    '--init-file=/tmp/st/mysql-replica-2/init.sql',
    '--user=root',
    '--query-cache-type=off',
    '--rpl-semi-sync-master-enabled=off',
    '--rpl-semi-sync-slave-enabled=off',
  ]);
  const primary = launchSpec(service('mysql-primary'), ctx(false));
  assert.equal(primary.args[0], '--defaults-file=/repo/infra/mariadb/primary.cnf');
  assert.ok(!primary.args.includes('--user=root'), 'no --user when not root');
  assert.ok(primary.args.includes('--server-id=1'));
});

test('redis: the shared redis.conf with its own address, port and directory', () => {
  const spec = launchSpec(service('redis'), ctx(false));
  assert.deepEqual(
    [spec.command, ...spec.args],
    [
      '/usr/bin/redis-server',
      '/repo/infra/redis/redis.conf',
      '--bind',
      '127.0.0.21',
      '--port',
      '20379',
      '--dir',
      '/tmp/st/redis/data',
      '--daemonize',
      'no',
    ],
  );
});

test('memcached: bound to its address; -u root only as root', () => {
  const mc = service('memcached');
  const asRoot = launchSpec(mc, ctx(true)).args;
  assert.deepEqual(asRoot.slice(0, 4), ['--listen', '127.0.0.22', '--port', '20250']);
  assert.deepEqual(asRoot.slice(-2), ['--user', 'root']);
  assert.ok(!launchSpec(mc, ctx(false)).args.includes('--user'));
});

test('app processes run node on the built entry point with the plan env, LOG_LEVEL and the marker', () => {
  const web = launchSpec(service('web-2'), ctx(false));
  assert.equal(web.command, '/usr/bin/node');
  assert.deepEqual(web.args, ['/repo/dist/services/web/server.js']);
  assert.equal(web.cwd, '/repo');
  assert.equal(web.env.PORT, '20102');
  assert.equal(web.env.LOG_LEVEL, 'info');
  assert.equal(web.env.PATH, '/usr/bin:/bin');
  assert.equal(web.env[STACK_MARKER], stackDir);
  assert.deepEqual(launchSpec(service('lb'), ctx(false)).args, [
    '/repo/dist/services/lb/server.js',
  ]);
  const setup = launchSpec(service('setup'), ctx(false));
  assert.deepEqual(setup.args, ['/repo/dist/services/setup/main.js']);
  assert.equal(setup.env.MYSQL_ROOT_PASSWORD_FILE, '/tmp/st/secrets/mysql-root-password');
  const queued = planStack(resolveFlags({ STAGE: '6' }), {
    mode: 'native',
    portBase: 20000,
    stackDir,
  });
  const worker = queued.services.find((s) => s.name === 'worker-2');
  assert.ok(worker);
  const spec = launchSpec(worker, ctx(false));
  assert.deepEqual(spec.args, ['/repo/dist/services/worker/server.js']);
  assert.equal(spec.env.METRICS_PORT, '20232');
  assert.equal(spec.env.HOST, '127.0.0.152');
});

test('s3rver gets its address, data dir and the registered key pair', () => {
  const s3 = launchSpec(service('s3'), ctx(false));
  assert.deepEqual(s3.args, ['/repo/dist/runner/s3rver/server.js']);
  assert.equal(s3.env.S3RVER_HOST, '127.0.0.23');
  assert.equal(s3.env.S3RVER_PORT, '20900');
  assert.equal(s3.env.S3RVER_DIR, '/tmp/st/s3/data');
  assert.equal(s3.env.S3_ACCESS_KEY_ID, 'scalinglab');
  assert.equal(s3.env.S3_SECRET_ACCESS_KEY_FILE, '/tmp/st/secrets/s3-secret-access-key');
});

test('inCgroup joins the cgroup before exec, keeping the command intact', () => {
  const spec = inCgroup(launchSpec(service('web-1'), ctx(false)), '/cg/web-1/cgroup.procs');
  assert.equal(spec.command, '/bin/sh');
  assert.deepEqual(spec.args, [
    '-c',
    'echo $$ > "$0" && exec "$@"',
    '/cg/web-1/cgroup.procs',
    '/usr/bin/node',
    '/repo/dist/services/web/server.js',
  ]);
});

test('web settings the user gave reach the web servers only', () => {
  const withSettings = { ...ctx(false), webEnv: { RATE_LIMIT_LOGIN_PER_MINUTE: '0' } };
  assert.equal(launchSpec(service('web-1'), withSettings).env.RATE_LIMIT_LOGIN_PER_MINUTE, '0');
  assert.equal(
    launchSpec(service('redis'), withSettings).env.RATE_LIMIT_LOGIN_PER_MINUTE,
    undefined,
  );
});
