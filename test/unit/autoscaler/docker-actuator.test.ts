/**
 * The compose actuator's client, against a fake Docker Engine on a Unix socket (a test of the
 * requests we build, not of Docker): scale-out copies a running container of the service under the
 * next numbers with every network and the service alias, starts each and waits for healthy;
 * scale-in stops the highest numbers with the grace period, then removes them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dockerActuator } from '../../../services/autoscaler/actuators/docker.ts';

interface Seen {
  method: string;
  path: string;
  body: unknown;
}

const label = (n: number) => ({
  'com.docker.compose.project': 'scaling-lab',
  'com.docker.compose.service': 'web',
  'com.docker.compose.container-number': String(n),
});

async function fakeEngine(t: { after: (fn: () => unknown) => void }, initial: number[]) {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const socketPath = join(dir, 'docker.sock');
  const seen: Seen[] = [];
  const containers = new Map(initial.map((n) => [`id${n}`, n]));
  let nextId = 100;
  const read = (req: IncomingMessage) =>
    new Promise<unknown>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString();
      });
      req.on('end', () => resolve(text === '' ? null : JSON.parse(text)));
    });
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const url = new URL(req.url ?? '/', 'http://docker');
    seen.push({ method: req.method ?? '', path: req.url ?? '', body });
    const send = (status: number, value?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    const m = /^\/v1\.44\/containers\/([^/]+)(?:\/(json|start|stop))?$/.exec(url.pathname);
    if (req.method === 'GET' && url.pathname === '/v1.44/containers/json')
      return send(
        200,
        [...containers].map(([Id, n]) => ({ Id, Labels: label(n), State: 'running' })),
      );
    if (req.method === 'POST' && url.pathname === '/v1.44/containers/create') {
      const id = `id${nextId++}`;
      const labels = (body as { Labels: Record<string, string> }).Labels;
      containers.set(id, Number(labels['com.docker.compose.container-number']));
      return send(201, { Id: id, Warnings: [] });
    }
    if (m && req.method === 'GET' && m[2] === 'json')
      return send(200, {
        Id: m[1],
        Config: {
          Image: 'scaling-lab/app:local',
          Env: ['ROLE=all'],
          Cmd: ['node', 'dist/services/web/server.js'],
          Labels: label(containers.get(m[1] ?? '') ?? 0),
          Healthcheck: { Test: ['CMD', 'true'] },
        },
        HostConfig: { NanoCpus: 250_000_000 },
        NetworkSettings: { Networks: { scaling_app: {}, scaling_data: {} } },
        State: { Health: { Status: 'healthy' } },
      });
    if (m && req.method === 'POST' && m[2] === 'start') return send(204);
    if (m && req.method === 'POST' && m[2] === 'stop') return send(204);
    if (m && req.method === 'DELETE' && m[2] === undefined) {
      containers.delete(m[1] ?? '');
      return send(204);
    }
    send(404, { message: 'no such route' });
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  t.after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const actuator = dockerActuator({
    socketPath,
    project: 'scaling-lab',
    pools: ['web'],
    readTimeoutMs: 2000,
    actTimeoutMs: 5000,
    stopGraceS: 15,
    slowStartMs: 5000,
    pollMs: 10,
  });
  return { actuator, seen };
}

test('scale-out clones a running container under the next numbers, on every network, with the alias', async (t) => {
  const { actuator, seen } = await fakeEngine(t, [1, 2]);
  assert.deepEqual([...(await actuator.current())], [['web', 2]]);
  seen.length = 0;
  const result = await actuator.scaleTo('web', 4);
  assert.equal(result.replicas, 4);
  assert.deepEqual(
    result.servers.map((s) => [s.name, s.action]),
    [
      ['scaling-lab-web-3', 'added'],
      ['scaling-lab-web-4', 'added'],
    ],
  );
  const list = seen[0];
  assert.equal(list?.method, 'GET');
  const filters = JSON.parse(
    new URL(list?.path ?? '', 'http://x').searchParams.get('filters') ?? '',
  );
  assert.deepEqual(filters, {
    label: ['com.docker.compose.project=scaling-lab', 'com.docker.compose.service=web'],
  });
  assert.deepEqual(seen[1], { method: 'GET', path: '/v1.44/containers/id2/json', body: null });
  const creates = seen.filter((s) => s.path.startsWith('/v1.44/containers/create'));
  assert.deepEqual(
    creates.map((c) => c.path),
    [
      '/v1.44/containers/create?name=scaling-lab-web-3',
      '/v1.44/containers/create?name=scaling-lab-web-4',
    ],
  );
  assert.deepEqual(creates[0]?.body, {
    Image: 'scaling-lab/app:local',
    Env: ['ROLE=all'],
    Cmd: ['node', 'dist/services/web/server.js'],
    Healthcheck: { Test: ['CMD', 'true'] },
    Labels: { ...label(3) },
    HostConfig: { NanoCpus: 250_000_000 },
    NetworkingConfig: {
      EndpointsConfig: { scaling_app: { Aliases: ['web'] }, scaling_data: { Aliases: ['web'] } },
    },
  });
  const starts = seen.filter((s) => s.path.endsWith('/start')).map((s) => s.method);
  assert.deepEqual(starts, ['POST', 'POST']);
});

test('scale-in stops the highest numbers with the grace period, then removes them', async (t) => {
  const { actuator, seen } = await fakeEngine(t, [1, 2, 3]);
  const result = await actuator.scaleTo('web', 1);
  assert.equal(result.replicas, 1);
  const acts = seen.filter((s) => s.method !== 'GET').map((s) => `${s.method} ${s.path}`);
  assert.deepEqual([...acts].sort(), [
    'DELETE /v1.44/containers/id2',
    'DELETE /v1.44/containers/id3',
    'POST /v1.44/containers/id2/stop?t=15',
    'POST /v1.44/containers/id3/stop?t=15',
  ]);
  for (const id of ['id2', 'id3'])
    assert.ok(
      acts.indexOf(`POST /v1.44/containers/${id}/stop?t=15`) <
        acts.indexOf(`DELETE /v1.44/containers/${id}`),
      `${id} stopped before it is removed`,
    );
});

test('an engine error is reported with its message', async (t) => {
  const { actuator } = await fakeEngine(t, []);
  await assert.rejects(actuator.scaleTo('web', 2), /no running web container to copy/);
});
