import assert from 'node:assert/strict';
import { test } from 'node:test';
import { candidateBases, endpoints, portTakenMessage } from '../../../runner/plan/port-plan.ts';
import { resolveFlags } from '../../../services/shared/config/flags.ts';
import { planStack } from '../../../services/shared/topology/plan.ts';

test('every planned port is listed with its service and host', () => {
  const plan = planStack(resolveFlags({ STAGE: '2' }), {
    mode: 'native',
    portBase: 9000,
    stackDir: '/s',
  });
  const list = endpoints(plan);
  assert.deepEqual(
    list.map((e) => `${e.service}/${e.portName}@${e.host}:${e.port}`),
    [
      'mysql-primary/mysql@127.0.0.11:9306',
      's3/s3@127.0.0.23:9900',
      'web-1/http@127.0.0.31:9101',
      'lb/http@127.0.0.1:9080',
      'lb/https@127.0.0.1:9443',
      'lb/admin@127.0.0.1:9404',
    ],
  );
});

test('the ports-taken message names each port, its service, and what to set', () => {
  const message = portTakenMessage(
    [{ service: 'mysql-primary', portName: 'mysql', host: '127.0.0.11', port: 8306 }],
    8000,
  );
  assert.match(message, /127\.0\.0\.11:8306 \(mysql-primary, mysql port\)/);
  assert.match(message, /STACK_PORT_BASE=9000/);
  assert.match(portTakenMessage([], 64_635), /STACK_PORT_BASE=63635/);
});

test('candidate bases: every base once, shuffled, below the ephemeral port range', () => {
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const bases = candidateBases(random);
  assert.equal(bases.length, 22);
  assert.equal(new Set(bases).size, 22);
  assert.ok(bases.every((b) => b % 1000 === 0 && b >= 10_000 && b + 900 < 32_768));
  assert.notDeepEqual(
    bases,
    [...bases].sort((a, b) => a - b),
    'shuffled',
  );
  assert.deepEqual(
    candidateBases(() => 0.999, 1000, 3000),
    [1000, 2000, 3000],
    'a random() near 1 keeps order',
  );
});
