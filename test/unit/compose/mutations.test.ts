// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are compose's ${VAR} syntax, not templates
/**
 * Every compose check can fail: each row breaks a copy of docker-compose.yml in one way and names
 * the check that must reject it (the unbroken file passes every check, plan-consistency.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  COMPOSE_DOC,
  contextFor,
  envOf,
  mutated,
  obj,
  serviceOf,
} from '../../support/compose/fixture.ts';
import { COMPOSE_CHECKS } from '../../support/compose/index.ts';

type Root = Record<string, unknown>;

interface Row {
  readonly name: string;
  readonly check: string;
  readonly change: (root: Root) => void;
  readonly expect: RegExp;
}

const set = (root: Root, service: string, key: string, value: unknown) => {
  serviceOf(root, service)[key] = value;
};
const drop = (root: Root, service: string, key: string) => {
  delete serviceOf(root, service)[key];
};
const healthTest = (root: Root, service: string, test: string[]) => {
  obj(serviceOf(root, service).healthcheck).test = test;
};
const dependsOn = (root: Root, service: string) => obj(serviceOf(root, service).depends_on);

const ROWS: readonly Row[] = [
  {
    name: 'a service the plan lacks',
    check: 'services',
    change: (r) => {
      obj(r.services)['cache-2'] = { image: 'memcached:1.6.45' };
    },
    expect: /cache-2/,
  },
  {
    name: 'a planned service missing',
    check: 'services',
    change: (r) => delete obj(r.services)['mysql-replica-2'],
    expect: /mysql-replica-2/,
  },
  {
    name: 'web on another port',
    check: 'ports',
    change: (r) => set(r, 'web', 'expose', ['3001']),
    expect: /3001.*3000/,
  },
  {
    name: 'healthcheck probing a foreign port',
    check: 'healthcheck-port',
    change: (r) =>
      healthTest(r, 'read-api', [
        'CMD',
        'node',
        '-e',
        "fetch('http://127.0.0.1:3001/health/ready')",
      ]),
    expect: /read-api: healthcheck probes \[3001\]/,
  },
  {
    name: 'healthcheck naming no port',
    check: 'healthcheck-port',
    change: (r) => healthTest(r, 'redis', ['CMD', 'redis-cli', 'ping']),
    expect: /redis: healthcheck names none/,
  },
  {
    name: 'a secret missing',
    check: 'secrets',
    change: (r) => set(r, 'lb', 'secrets', []),
    expect: /lb: secrets \[\]/,
  },
  {
    name: 'an extra secret',
    check: 'secrets',
    change: (r) => set(r, 'redis', 'secrets', ['mysql-root-password']),
    expect: /redis: secrets/,
  },
  {
    name: 'web not waiting for setup',
    check: 'depends-on',
    change: (r) => delete dependsOn(r, 'web').setup,
    expect: /web: does not depend on setup/,
  },
  {
    name: 'lb waiting for start, not health',
    check: 'depends-on',
    change: (r) => {
      dependsOn(r, 'lb').web = { condition: 'service_started' };
    },
    expect: /lb: depends on web with service_started/,
  },
  {
    name: 'waiting for setup to be healthy',
    check: 'depends-on',
    change: (r) => {
      dependsOn(r, 'write-api').setup = { condition: 'service_healthy' };
    },
    expect: /service_completed_successfully/,
  },
  {
    name: 'setup pointed at a replica',
    check: 'environment',
    change: (r) => {
      envOf(r, 'setup').MYSQL_PRIMARY = 'mysql-replica-1:3306';
    },
    expect: /setup: MYSQL_PRIMARY is "mysql-replica-1:3306"/,
  },
  {
    name: 'LB_POOLS missing',
    check: 'environment',
    change: (r) => delete envOf(r, 'lb').LB_POOLS,
    expect: /lb: LB_POOLS is missing/,
  },
  {
    name: 'wrong ROLE',
    check: 'environment',
    change: (r) => {
      envOf(r, 'read-api').ROLE = 'all';
    },
    expect: /read-api: ROLE/,
  },
  {
    name: 'npm start',
    check: 'entry-points',
    change: (r) => set(r, 'web', 'command', ['npm', 'start']),
    expect: /web: command \["npm","start"\]/,
  },
  {
    name: 'a flag not passed',
    check: 'flags-passed',
    change: (r) => delete envOf(r, 'read-api').CDN,
    expect: /read-api: flag CDN is not passed/,
  },
  {
    name: 'a flag fixed to a value',
    check: 'flags-passed',
    change: (r) => {
      envOf(r, 'lb').STICKY = 'cookie';
    },
    expect: /lb: STICKY is "cookie"/,
  },
  {
    name: 'STAGE defaulting to another stage',
    check: 'flag-values',
    change: (r) => {
      envOf(r, 'web').STAGE = '${STAGE:-3}';
    },
    expect: /web: resolves .* the plan has/,
  },
  {
    name: 'a literal replica count',
    check: 'scaling',
    change: (r) => set(r, 'web', 'deploy', { replicas: 3 }),
    expect: /web: deploy.replicas is 3/,
  },
  {
    name: 'a default replica count off the plan',
    check: 'scaling',
    change: (r) => set(r, 'write-api', 'deploy', { replicas: '${WRITE_API_REPLICAS:-2}' }),
    expect: /write-api: 2 replicas by default, the plan has 1/,
  },
  {
    name: 'a fixed CPU limit',
    check: 'scaling',
    change: (r) => set(r, 'read-api', 'cpus', '2'),
    expect: /read-api: cpus is 2/,
  },
  {
    name: "a tier's CPU limit read from the app boxes' flag",
    check: 'scaling',
    change: (r) => set(r, 'memcached', 'cpus', '${BOX_CPUS:-1}'),
    expect: /memcached: cpus is \$\{BOX_CPUS:-1\}, want \$\{CACHE_BOX_CPUS:-0\}/,
  },
  {
    name: 'an untagged image',
    check: 'pinned-images',
    change: (r) => set(r, 'redis', 'image', 'redis'),
    expect: /redis: image redis has no tag/,
  },
  {
    name: 'latest',
    check: 'pinned-images',
    change: (r) => set(r, 'mysql-primary', 'image', 'mariadb:latest'),
    expect: /moving tag latest/,
  },
  {
    name: 'a versionless tag',
    check: 'pinned-images',
    change: (r) => set(r, 'memcached', 'image', 'memcached:alpine'),
    expect: /names no version/,
  },
  {
    name: 'an unpinned override default',
    check: 'pinned-images',
    change: (r) => set(r, 's3', 'image', '${S3_IMAGE:-minio/minio}'),
    expect: /s3: image minio\/minio has no tag/,
  },
  {
    name: 'no healthcheck',
    check: 'healthchecks',
    change: (r) => drop(r, 'memcached', 'healthcheck'),
    expect: /memcached: no healthcheck/,
  },
  {
    name: 'disabled healthcheck',
    check: 'healthchecks',
    change: (r) => set(r, 'lb', 'healthcheck', { disable: true }),
    expect: /lb: no healthcheck/,
  },
  {
    name: 'setup restarting',
    check: 'healthchecks',
    change: (r) => set(r, 'setup', 'restart', 'on-failure'),
    expect: /setup: one-shot/,
  },
  {
    name: 'web not restarted',
    check: 'healthchecks',
    change: (r) => set(r, 'web', 'restart', 'on-failure'),
    expect: /web: restart is on-failure, want unless-stopped/,
  },
  {
    name: 'a data store publishing',
    check: 'published-ports',
    change: (r) => set(r, 'redis', 'ports', ['6379:6379']),
    expect: /redis: publishes ports/,
  },
  {
    name: 'the LB admin port open',
    check: 'published-ports',
    change: (r) => {
      obj(r.services).lb = {
        ...serviceOf(r, 'lb'),
        ports: [
          { target: 80, published: 80 },
          { target: 443, published: 443 },
          { target: 8404, published: 8404 },
        ],
      };
    },
    expect: /admin port 8404 is published beyond 127.0.0.1/,
  },
  {
    name: 'the LB not publishing https',
    check: 'published-ports',
    change: (r) =>
      set(r, 'lb', 'ports', [
        { target: 80, published: 80 },
        { target: 8404, published: 8404, host_ip: '127.0.0.1' },
      ]),
    expect: /lb: publishes \[80, 8404\]/,
  },
  {
    name: 'Grafana open to the network',
    check: 'published-ports',
    change: (r) => set(r, 'grafana', 'ports', ['3000:3000']),
    expect: /grafana: publishes 3000 beyond 127.0.0.1/,
  },
  {
    name: 'a data store on the app network',
    check: 'internal-network',
    change: (r) => set(r, 's3', 'networks', ['data', 'app']),
    expect: /s3: data store on a network that is not internal/,
  },
  {
    name: 'the data network not internal',
    check: 'internal-network',
    change: (r) => {
      obj(r.networks).data = {};
    },
    expect: /mysql-primary: data store/,
  },
  {
    name: 'a data store on the default network',
    check: 'internal-network',
    change: (r) => drop(r, 'redis', 'networks'),
    expect: /redis: data store on the default network/,
  },
  {
    name: 'the LB on the data network',
    check: 'internal-network',
    change: (r) => set(r, 'lb', 'networks', ['app', 'data']),
    expect: /lb: entry point joins the internal network/,
  },
  {
    name: 'web cut off from the data tier',
    check: 'reachability',
    change: (r) => set(r, 'web', 'networks', ['app']),
    expect: /web: shares no network with mysql-primary/,
  },
  {
    name: 'a secret from elsewhere',
    check: 'secret-files',
    change: (r) => {
      obj(r.secrets)['lb-sticky-secret'] = { file: './lb-secret' };
    },
    expect: /secret lb-sticky-secret comes from .\/lb-secret/,
  },
  {
    name: 'an undeclared secret',
    check: 'secret-files',
    change: (r) => delete obj(r.secrets)['mysql-password'],
    expect: /secret mysql-password is not declared/,
  },
  {
    name: 'container_name',
    check: 'scalable',
    change: (r) => set(r, 'web', 'container_name', 'web'),
    expect: /web: container_name/,
  },
  {
    name: 'a config file that is not there',
    check: 'bind-mounts',
    change: (r) =>
      set(r, 'prometheus', 'volumes', [
        './infra/prometheus/missing.yml:/etc/prometheus/prometheus.yml:ro',
      ]),
    expect: /prometheus: mounts .\/infra\/prometheus\/missing.yml, which does not exist/,
  },
  {
    name: 'a variable without a default',
    check: 'interpolation',
    change: (r) => {
      envOf(r, 'web').ROLE = '${ROLE}';
    },
    expect: /ROLE is not set and has no default/,
  },
  {
    name: 'memcached sized apart from the runner',
    check: 'runner-parity',
    change: (r) =>
      set(r, 'memcached', 'command', [
        'memcached',
        '--port=11211',
        '--udp-port=0',
        '--memory-limit=128',
        '--conn-limit=1024',
      ]),
    expect: /memcached: --memory-limit is 128, the runner uses 64/,
  },
  {
    name: 'two replicas with one server id',
    check: 'runner-parity',
    change: (r) => set(r, 'mysql-replica-2', 'command', ['mariadbd', '--server-id=2']),
    expect: /mysql-replica-2: command does not set --server-id=3/,
  },
  {
    name: 'a replica without the query cache flag',
    check: 'runner-parity',
    change: (r) => set(r, 'mysql-replica-1', 'command', ['mariadbd', '--server-id=2']),
    expect: /mysql-replica-1: command does not pass --query-cache-type=\$\{DB_QUERY_CACHE:-off\}/,
  },
  {
    name: 'the query cache hard-wired on',
    check: 'runner-parity',
    change: (r) =>
      set(r, 'mysql-primary', 'command', ['mariadbd', '--server-id=1', '--query-cache-type=on']),
    expect: /mysql-primary: command does not .*--query-cache-type=off/,
  },
  {
    name: 'a replica with the primary config',
    check: 'runner-parity',
    change: (r) =>
      set(r, 'mysql-replica-1', 'volumes', [
        './infra/mariadb/primary.cnf:/etc/mysql/conf.d/scaling-lab.cnf:ro',
      ]),
    expect: /mysql-replica-1: does not mount infra\/mariadb\/replica.cnf/,
  },
  {
    name: 'a writable config mount',
    check: 'runner-parity',
    change: (r) =>
      set(r, 'redis', 'volumes', ['./infra/redis/redis.conf:/usr/local/etc/redis/redis.conf']),
    expect: /redis: mounts infra\/redis\/redis.conf at .* writable/,
  },
  {
    name: 'redis ignoring its config',
    check: 'runner-parity',
    change: (r) => set(r, 'redis', 'command', ['redis-server']),
    expect: /redis: command .* does not load/,
  },
  {
    name: 'accounts made by the image',
    check: 'runner-parity',
    change: (r) => {
      envOf(r, 'mysql-replica-1').MARIADB_DATABASE = 'scaling_lab';
    },
    expect: /mysql-replica-1: MARIADB_DATABASE makes accounts/,
  },
  {
    name: 'MinIO with its default user',
    check: 'runner-parity',
    change: (r) => {
      envOf(r, 's3').MINIO_ROOT_USER = 'minioadmin';
    },
    expect: /s3: MINIO_ROOT_USER is minioadmin, want scalinglab/,
  },
];

for (const row of ROWS) {
  test(`"${row.check}" rejects ${row.name}`, () => {
    const check = COMPOSE_CHECKS[row.check];
    assert.ok(check, `no check named ${row.check}`);
    const problems = check(contextFor(mutated(COMPOSE_DOC, row.change)));
    assert.ok(
      problems.some((p) => row.expect.test(p)),
      `want a problem matching ${row.expect}, got ${JSON.stringify(problems)}`,
    );
  });
}

test('"entry-points" rejects an entry point whose source is missing', () => {
  const problems = COMPOSE_CHECKS['entry-points']?.(
    contextFor(COMPOSE_DOC, { fileExists: () => false }),
  );
  assert.ok(
    problems?.some((p) =>
      /setup: dist\/services\/setup\/main.js is built from services\/setup\/main.ts, which is missing/.test(
        p,
      ),
    ),
    JSON.stringify(problems),
  );
});

test('"runner-parity" rejects a config file that is not there', () => {
  const problems = COMPOSE_CHECKS['runner-parity']?.(
    contextFor(COMPOSE_DOC, { fileExists: () => false }),
  );
  assert.ok(
    problems?.some((p) => /infra\/redis\/redis.conf does not exist/.test(p)),
    JSON.stringify(problems),
  );
});

test('every check is exercised by at least one mutation', () => {
  const covered = new Set([...ROWS.map((r) => r.check), 'entry-points']);
  assert.deepEqual(
    Object.keys(COMPOSE_CHECKS).filter((c) => !covered.has(c)),
    [],
  );
});
