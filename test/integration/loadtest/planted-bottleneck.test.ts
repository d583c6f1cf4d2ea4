/**
 * Planted bottlenecks: a stack with one deliberately undersized part, a short `make load`, and the
 * report must name that part. Own stacks at STAGE=2 (one web box, the database on its own box);
 * each test changes exactly the setting that plants its bottleneck (the defaults are covered by
 * make-load.test.ts on the shared stack).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { toxic } from '../../../loadtest/drills/faults/toxic.ts';
import { type OwnStack, startOwnStack } from '../../support/own-stack.ts';

interface Verdict {
  bottleneck: { component: string; kind: string; evidence: string[]; step: string } | null;
}

async function loadAndJudge(
  t: TestContext,
  flags: Record<string, string>,
  load: Record<string, string>,
  plant: (stack: OwnStack) => Promise<void> = async () => undefined,
): Promise<Verdict> {
  const stack = await startOwnStack(t, { STAGE: '2', ...flags });
  await plant(stack);
  const results = mkdtempSync(join(tmpdir(), 'scaling-lab-planted-'));
  t.after(() => rmSync(results, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'loadtest/load/cli.ts'], {
    env: {
      ...process.env,
      STACK_FILE: join(stack.info.stackDir, 'stack.json'),
      SCENARIO: 'read-heavy',
      DURATION: '6',
      WARMUP: '0',
      // One generator thread: fewer logins (password hashing) on the planted small box.
      WORKERS: '1',
      RESULTS_DIR: results,
      SEED_USERS: '200',
      SEED_POSTS: '3000',
      ...load,
    },
    encoding: 'utf8',
    timeout: 150_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const [dir] = readdirSync(results);
  const report = JSON.parse(readFileSync(join(results, String(dir), 'result.json'), 'utf8'));
  assert.match(run.stdout, /bottleneck \(USE\): /);
  return report.verdict as Verdict;
}

test('a web box with a tiny CPU quota is named as the bottleneck', async (t) => {
  // BOX_CPUS=0.1: a tenth of a core for the only web server.
  const verdict = await loadAndJudge(t, { BOX_CPUS: '0.1' }, { RATE: '80' });
  assert.equal(verdict.bottleneck?.kind, 'web', JSON.stringify(verdict.bottleneck));
  assert.match(verdict.bottleneck?.component ?? '', /^web-1/);
  assert.match(verdict.bottleneck?.evidence.join(' ') ?? '', /0\.1-CPU box/);
  assert.match(verdict.bottleneck?.step ?? '', /WEB_REPLICAS/);
});

test('a slow database (latency on the link, its CPU idle) is named as the bottleneck', async (t) => {
  // FAULT_PROXY=on puts the fault proxy between the web server and MariaDB; a 40 ms latency toxic
  // on the primary's link makes every answer slow while the database itself has nothing to do.
  const verdict = await loadAndJudge(t, { FAULT_PROXY: 'on' }, { RATE: '60' }, async (stack) => {
    await toxic(stack.info, 'mysql-primary', {
      type: 'latency',
      attributes: { latency: 40, jitter: 0 },
    }).apply();
  });
  assert.equal(verdict.bottleneck?.kind, 'slow-dependency', JSON.stringify(verdict.bottleneck));
  assert.match(verdict.bottleneck?.component ?? '', /^mysql-primary/);
  const evidence = verdict.bottleneck?.evidence.join(' ') ?? '';
  const avgMs = Number(/average statement ([\d.]+) ms/.exec(evidence)?.[1]);
  assert.ok(avgMs >= 40, evidence);
  assert.match(evidence, /CPU \d+ % busy/);
});

test('a database pool of one connection is named as the bottleneck', async (t) => {
  // DB_POOL_SIZE=1: every query of the web server waits for the same connection. A closed loop
  // of 32 connections always asks for more than one connection serves (a fixed rate did not:
  // on a quiet machine one connection kept up with 120 req/s and nothing waited).
  const verdict = await loadAndJudge(
    t,
    { DB_POOL_SIZE: '1' },
    { MODE: 'capacity', CONNECTIONS: '32' },
  );
  assert.equal(verdict.bottleneck?.kind, 'pool', JSON.stringify(verdict.bottleneck));
  assert.match(verdict.bottleneck?.evidence.join(' ') ?? '', /average wait for a connection/);
  assert.match(verdict.bottleneck?.step ?? '', /DB_POOL_SIZE/);
});
