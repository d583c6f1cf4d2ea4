import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  classify,
  dataDirAction,
  decideUp,
  type Observed,
  type PidRecord,
  parsePidRecord,
  parseProcStat,
  stopWaves,
} from '../../../runner/process/crash-recovery/ownership.ts';

const record = (name: string, wave = 0, pid = 100): PidRecord => ({
  name,
  kind: 'web',
  wave,
  pid,
  startTime: '5000',
  bootId: 'boot-a',
});

test('a pid is ours only when it runs in the same boot with the recorded start time', () => {
  const r = record('web-1');
  const cases: [string, Parameters<typeof classify>[1], string][] = [
    ['running, same start', { running: true, startTime: '5000', bootId: 'boot-a' }, 'ours'],
    ['not running', { running: false, bootId: 'boot-a' }, 'gone'],
    ['pid recycled', { running: true, startTime: '7777', bootId: 'boot-a' }, 'not-ours'],
    ['after a reboot', { running: true, startTime: '5000', bootId: 'boot-b' }, 'not-ours'],
  ];
  for (const [name, facts, verdict] of cases) assert.equal(classify(r, facts), verdict, name);
});

test('pid records: valid JSON records parse, anything else is not a record', () => {
  assert.deepEqual(parsePidRecord(JSON.stringify(record('lb', 3))), record('lb', 3));
  for (const bad of ['', '{', '12345', JSON.stringify({ ...record('x'), pid: 1 }), '{"pid":5}'])
    assert.equal(parsePidRecord(bad), undefined, bad);
});

test('/proc/<pid>/stat: state and start time even when the name has spaces and parens', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i));
  fields[0] = 'S';
  fields[19] = '123456';
  assert.deepEqual(parseProcStat(`42 (my (odd) name) ${fields.join(' ')}`), {
    state: 'S',
    startTime: '123456',
  });
  assert.equal(parseProcStat('garbage'), undefined);
});

const seen = (r: PidRecord, verdict: Observed['verdict']): Observed => ({ record: r, verdict });

test('up refuses while a runner owns the stack or a detached stack fully runs', () => {
  const runner = seen(record('runner', -1, 7), 'ours');
  assert.equal(decideUp(runner, [], false).go, false);
  const all = [seen(record('a'), 'ours'), seen(record('b'), 'ours')];
  const detached = decideUp(undefined, all, true);
  assert.equal(detached.go, false);
  assert.match(detached.go ? '' : detached.reason, /make down/);
});

test('after a crash up stops only our orphans and goes ahead', () => {
  const orphan = record('redis');
  const decision = decideUp(
    seen(record('runner', -1, 7), 'gone'),
    [seen(orphan, 'ours'), seen(record('web-1'), 'gone'), seen(record('lb'), 'not-ours')],
    false,
  );
  assert.deepEqual(decision, { go: true, stop: [orphan] });
  const partlyDead = decideUp(undefined, [seen(orphan, 'ours'), seen(record('x'), 'gone')], true);
  assert.deepEqual(partlyDead, { go: true, stop: [orphan] });
  assert.deepEqual(decideUp(undefined, [], false), { go: true, stop: [] });
});

test('a data dir is reused only after a finished initialisation', () => {
  assert.equal(dataDirAction(true), 'reuse');
  assert.equal(dataDirAction(false), 'initialise');
});

test('stop waves run from the highest start wave down', () => {
  const rs = [record('db', 0), record('lb', 3), record('web-1', 2), record('web-2', 2)];
  assert.deepEqual(
    stopWaves(rs).map((w) => w.map((r) => r.name)),
    [['lb'], ['web-1', 'web-2'], ['db']],
  );
});
