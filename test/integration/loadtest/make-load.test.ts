/**
 * `make load` against the shared test stack (stage 4: Redis sessions, sticky cookie): a short
 * sessions run at a fixed rate finishes within its bound, reports latency, the generator's CPU and
 * cart integrity (no item lost with shared sessions); bad input is refused naming each variable.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const cli = (env: Record<string, string>, timeout = 120_000) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'loadtest/load/cli.ts'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout,
  });

test('make load: a bounded sessions run reports latency, generator CPU and cart integrity', (t) => {
  const results = mkdtempSync(join(tmpdir(), 'scaling-lab-load-'));
  t.after(() => rmSync(results, { recursive: true, force: true }));
  const started = Date.now();
  // A small seed if the shared stack has too little data (the default seed takes minutes).
  const run = cli({
    SCENARIO: 'sessions',
    RATE: '20',
    DURATION: '4',
    WARMUP: '0',
    RESULTS_DIR: results,
    SEED_USERS: '100',
    SEED_POSTS: '1500',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(Date.now() - started < 90_000, 'bounded');
  const [dir] = readdirSync(results);
  const report = JSON.parse(readFileSync(join(results, String(dir), 'result.json'), 'utf8'));
  const [r] = report.runs;
  assert.ok(r.completed >= 50, `${r.completed} requests`);
  assert.ok(r.errorRate < 0.05, `error rate ${r.errorRate}`);
  assert.ok(r.latency.p99 > 0);
  assert.ok(r.counters.carts >= 5, `${r.counters.carts} carts`);
  assert.equal(r.counters.itemsLost, 0, 'shared sessions lose nothing');
  assert.equal(typeof r.generator.cores, 'number');
  assert.match(run.stdout, /cart integrity: 0\.0 items lost per 1,000 carts/);
  assert.match(run.stdout, /generator: [\d.]+ cores/);
});

test('make load refuses bad input with every bad variable named', () => {
  const run = cli({ SCENARIO: 'write-heavy', RATE: 'fast', MODE: 'soak' }, 30_000);
  assert.equal(run.status, 2);
  for (const name of ['SCENARIO="write-heavy"', 'RATE="fast"', 'MODE="soak"'])
    assert.ok(run.stderr.includes(name), `${name} in ${run.stderr}`);
});
