/**
 * `make timeline` and `make bench-shards` answer a failure with one line and an exit code (2: bad
 * config or no usable stack; 1: a failure while running), never a raw stack trace. Runs the
 * scripts themselves; no stack is started (a missing stack file, a stack file whose MariaDB port is
 * closed, a results directory under a file).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

interface Ran {
  code: number | null;
  stderr: string;
}

const run = (script: string, env: Record<string, string>): Promise<Ran> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, _stdout, stderr) =>
        resolve({
          code: error === null ? 0 : ((error.code as number | undefined) ?? null),
          stderr,
        }),
    );
  });

function assertOneLine(ran: Ran, prefix: string, code: number): void {
  assert.equal(ran.code, code, ran.stderr);
  assert.doesNotMatch(ran.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(ran.stderr.trim().split('\n').length, 1, ran.stderr);
  assert.ok(ran.stderr.startsWith(prefix), ran.stderr);
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

test('make timeline: no stack → one line, exit 2', async () => {
  const ran = await run('scripts/timeline.ts', { STACK_FILE: '/nonexistent/stack.json' });
  assertOneLine(ran, 'timeline: no running stack at /nonexistent/stack.json', 2);
});

test('make timeline: the directory down → one line, exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'one-line-timeline-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const port = await closedPort();
  writeFileSync(join(dir, 'password'), 'x\n');
  const db = (name: string) => ({ name, kind: 'mysql', host: '127.0.0.1', ports: { mysql: port } });
  const stack = {
    version: 1,
    flags: { FEED: 'timeline' },
    webSettings: {},
    services: [
      db('mysql-primary'),
      db('mysql-shard-1'),
      { name: 'redis', kind: 'redis', host: '127.0.0.1', ports: { redis: port } },
    ],
    secrets: { 'mysql-password': join(dir, 'password') },
    mysql: { user: 'app', database: 'scaling_lab' },
    shards: { directory: 'mysql-primary', servers: ['mysql-shard-1'] },
  };
  writeFileSync(join(dir, 'stack.json'), JSON.stringify(stack));
  const ran = await run('scripts/timeline.ts', { STACK_FILE: join(dir, 'stack.json') });
  assertOneLine(ran, 'timeline: connect ECONNREFUSED', 1);
});

test('make bench-shards: results directory not creatable → one line, exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'one-line-bench-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'file');
  writeFileSync(file, '');
  const ran = await run('loadtest/bench-shards/cli.ts', { RESULTS_DIR: join(file, 'results') });
  assertOneLine(ran, 'bench-shards: ENOTDIR', 1);
});
